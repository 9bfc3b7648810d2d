"""The `hl` table: each helion.language function as data that drives binding, lowering, reference
mode, the exported module's reference, the cost model and docs/language.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...reference import eager, hl_eager

# How perf/ costs a call (perf/op_calls.py maps each to a method, perf/walk.py walks the loops);
# None: not modelled, the cost model says so at the call.
COSTS = {
    "tiles": "a device loop: its body's cost once per tile, at the config's block sizes",
    "indices": "a loop: its body's cost once per index",
    "allocate": "a fresh block: no FLOPs, no memory traffic",
    "lanes": "a block of lane indices: no FLOPs, no memory traffic",
    "random": "a block of Philox floats: no memory traffic",
    "random_int": "a block of Philox integers: no memory traffic",
    "product": "2·M·N·K FLOPs on the tensor cores",
    "read": "reads target[index], as a subscript does (lanes extra_mask drops counted too)",
    "write": "writes target[index], as a subscript does",
    "read_write": "reads and writes target[index] (the update's own FLOPs not counted)",
    "reduction": "the op table's row of the same name (torch.cumsum, torch.cumprod)",
    "free": "nothing: output only",
    "tile_attribute": "what the tile's attribute gives (tile.begin, tile.count): a scalar, no work",
    "host": "runs on the host: no device value",
}


# What one iteration of a loop binds (HlOp.each): a tile (a block of lanes: offsets, mask, block
# size) or one index (a scalar)
LANES, INDEX = "lanes", "index"


@dataclass(frozen=True)
class HlOp:
    """One hl function: Helion's signature, its lowering ("dots.dot_call": component, method)
    (`(name, args, node) → Value`; None: refused inside a device expression), its eager
    implementation (reference mode's, and embedded by export: reference/embed.py), its cost kind
    (COSTS), a doc line."""

    signature: str
    lowering: str | None
    eager: Callable
    cost: str | None
    doc: str
    refused: tuple[tuple[str, str], ...] = ()  # Helion's parameters lowering does not honour: fix
    writes: bool = False  # writes into its first argument (a tensor changed in place)
    loop: str | None = None  # the iterable of a loop: "device" (top level), "jagged", "unrolled"
    host: str | None = None  # how host code spells a call (frontend/host_code.py, HOST_SPELLINGS)
    each: str | None = None  # a loop's iterable: what one iteration binds (LANES or INDEX)
    # the shape analysis' rule (lower/shape_calls.RULES); None: its result is not followed (no
    # fact comes from it)
    shape: str | None = None
    # parameter → what it must be: the values it may be, or a kind of torch_signatures.PARAMETER_KINDS
    kinds: tuple[tuple[str, str | tuple[object, ...]], ...] = ()
    # an atomic's target: the torch dtypes Triton's tl.atomic_* takes (the launcher refuses others)
    targets: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.signature.split("(", 1)[0]


# The memory orderings an atomic takes (tl.atomic_*'s sem)
_SEM = (("sem", ("relaxed", "acquire", "release", "acq_rel")),)
# The targets' dtypes Triton 3.x's atomics take (language/semantic.py, atom_red_typechecking_impl
# and atomic_max / atomic_cas): no 8-bit or bool target, no 16-bit one but for add's halves and
# cas, no half for max / min / xchg; bitwise ones of integers (torch's bitwise ops refuse floats)
_WORDS = ("int32", "int64")
_ADD_TARGETS = ("float16", "bfloat16", "float32", "float64", *_WORDS)
_ORDER_TARGETS = ("float32", "float64", *_WORDS)  # max, min, xchg
_CAS_TARGETS = ("float16", "bfloat16", "float32", "float64", "int16", *_WORDS)
# Signatures as helion/language/*.py spells them (snapshot ef091f4, 2026-08-22); each parameter
# is honoured by lowering or reference mode.
HL = (
    HlOp("tile(begin_or_end, end_or_none=None, /, block_size=None)", "hl_calls.hl_loop_only", hl_eager.tile, "tiles", "tiles of one or more ranges: the iterable of a device loop", loop="device", each=LANES),
    HlOp("grid(begin_or_end, end_or_none=None, /, step=None)", "hl_calls.hl_loop_only", hl_eager.grid, "indices", "every index of one or more ranges, one at a time: a device loop's iterable",
          loop="device", each=INDEX),
    HlOp("jagged_tile(parent)", None, hl_eager.jagged_tile, None, "tiles over each row's own length, inside a tile loop", loop="jagged", each=LANES),
    HlOp("vtile(parent)", None, hl_eager.vtile, None, "Helion's other name for jagged_tile", loop="jagged", each=LANES),
    HlOp("static_range(begin_or_end, end_or_none=None, /, step=1)", None, hl_eager.static_range, "indices", "a range the compiler unrolls", loop="unrolled", each=INDEX),
    HlOp("zeros(shape, dtype=torch.float32, device=None)", "hl_calls.hl_allocate", hl_eager.zeros, "allocate", "a block of zeros shaped by tiles and sizes", shape="allocate"),
    HlOp("full(shape, value, dtype=torch.float32, device=None)", "hl_calls.hl_allocate", hl_eager.full, "allocate", "a block filled with one value", shape="allocate",
          kinds=(("value", "scalar"),)),
    HlOp("arange(*args, dtype=None, device=None)", "allocations.arange", hl_eager.arange, "lanes", "a tile's lanes 0 .. block size - 1 (int32, or dtype=)", shape="lanes"),
    HlOp("cumsum(input_tensor, dim, reverse=False)", "hl_calls.hl_scan", hl_eager.cumsum, "reduction", "running sum along a dimension", shape="running"),
    HlOp("cumprod(input_tensor, dim, reverse=False)", "hl_calls.hl_scan", hl_eager.cumprod, "reduction", "running product along a dimension", shape="running"),
    HlOp("associative_scan(combine_fn, input_tensor, dim, reverse=False)", "scans.associative_scan", hl_eager.associative_scan, None, "a scan with the user's combine function", shape="scan_with"),
    HlOp("reduce(combine_fn, input_tensor, dim=None, other=0, keep_dims=False)", "scans.reduce_with", hl_eager.reduce, None, "a reduction with the user's combine function", shape="reduce_with",
          kinds=(("other", "value"),)),
    HlOp("dot(mat1, mat2, acc=None, out_dtype=None)", "dots.dot_call", hl_eager.dot, "product", "a matrix product, optionally accumulated into acc", shape="product"),
    HlOp("load(tensor, index, extra_mask=None, eviction_policy=None)", "memory.load", hl_eager.load, "read", "a masked load of tensor[index]", shape="read",
          kinds=(("eviction_policy", (None, "evict_first", "evict_last")),)),
    HlOp("store(tensor, index, value, extra_mask=None)", "memory.store", hl_eager.store, "write", "a masked store into tensor[index]", writes=True, shape="write"),
    HlOp('atomic_add(target, index, value, sem="relaxed")', "memory.atomic", hl_eager.atomic_add, "read_write", "target[index] += value, atomically", writes=True, shape="update", kinds=_SEM, targets=_ADD_TARGETS),
    HlOp('atomic_xchg(target, index, value, sem="relaxed")', "memory.atomic", hl_eager.atomic_xchg, "read_write", "target[index] = value atomically, returning the old value", writes=True, shape="update", kinds=_SEM, targets=_ORDER_TARGETS),
    HlOp('atomic_and(target, index, value, sem="relaxed")', "memory.atomic", hl_eager.atomic_and, "read_write", "target[index] &= value, atomically", writes=True, shape="update", kinds=_SEM, targets=_WORDS),
    HlOp('atomic_or(target, index, value, sem="relaxed")', "memory.atomic", hl_eager.atomic_or, "read_write", "target[index] |= value, atomically", writes=True, shape="update", kinds=_SEM, targets=_WORDS),
    HlOp('atomic_xor(target, index, value, sem="relaxed")', "memory.atomic", hl_eager.atomic_xor, "read_write", "target[index] ^= value, atomically", writes=True, shape="update", kinds=_SEM, targets=_WORDS),
    HlOp('atomic_max(target, index, value, sem="relaxed")', "memory.atomic", hl_eager.atomic_max, "read_write", "target[index] = max(target[index], value), atomically", writes=True, shape="update", kinds=_SEM, targets=_ORDER_TARGETS),
    HlOp('atomic_min(target, index, value, sem="relaxed")', "memory.atomic", hl_eager.atomic_min, "read_write", "target[index] = min(target[index], value), atomically", writes=True, shape="update", kinds=_SEM, targets=_ORDER_TARGETS),
    HlOp('atomic_cas(target, index, expected, value, sem="relaxed")', "memory.compare_and_swap", hl_eager.atomic_cas, "read_write", "compare-and-swap at target[index]", writes=True, shape="update", kinds=_SEM, targets=_CAS_TARGETS),
    HlOp("split(tensor)", "joins.split", hl_eager.split, None, "a last dimension of 2 split into two blocks", shape="halves"),
    HlOp("join(tensor0, tensor1)", "joins.join", hl_eager.join, None, "two blocks joined along a new last dimension of 2", shape="pair"),
    HlOp("constexpr(value)", None, hl_eager.constexpr, "host", "a compile-time constant: an argument's annotation, or the value itself"),
    HlOp("specialize(value)", "hl_calls.hl_passthrough", hl_eager.specialize, "host", "a size fixed at compile time", host="identity", shape="passthrough"),
    HlOp("register_reduction_dim(size)", "hl_calls.hl_passthrough", hl_eager.register_reduction_dim, "host", "a reduction dimension's size", host="identity", shape="passthrough"),
    HlOp("register_block_size(min_or_max, max_or_none=None, /)", None, hl_eager.register_block_size, "host", "a tunable block size, for tiles and loops", host="block_size"),
    HlOp("register_tunable(name, fragment)", None, hl_eager.register_tunable, "host", "a tunable value the config chooses", host="fragment"),
    HlOp("rand(shape, seed, device=None, offsets=None)", "random.rand", eager.rand, "random", "uniform floats in [0, 1): Triton's Philox numbers",
          (("offsets", "leave out offsets=: each element's offset is its linear index"),), kinds=(("seed", "value"),), shape="allocate"),
    HlOp("randint(shape, low, high, seed, device=None)", "random.randint", eager.randint, "random_int", "integers in [low, high) from the same Philox numbers",
          kinds=(("seed", "value"),), shape="allocate"),
    HlOp("device_print(prefix, *values)", "escapes.device_print", hl_eager.device_print, "free", "print from the device"),
    HlOp("inline_triton(triton_source, args, output_like)", "escapes.inline_triton", eager.inline_triton, None, "Triton source spliced into the kernel"),
    HlOp("triton_kernel(triton_source_or_fn, args, output_like)", "escapes.triton_kernel", eager.triton_kernel, None, "a call of the user's @triton.jit function"),
    HlOp("barrier()", "hl_calls.hl_barrier", hl_eager.barrier, "host", "a grid-wide barrier between top-level device loops", host="statement"),
    HlOp("tile_index(tile)", "hl_calls.hl_tile_attribute", hl_eager.tile_index, "tile_attribute", "tile.index"),
    HlOp("tile_begin(tile)", "hl_calls.hl_tile_attribute", hl_eager.tile_begin, "tile_attribute", "tile.begin"),
    HlOp("tile_end(tile)", "hl_calls.hl_tile_attribute", hl_eager.tile_end, "tile_attribute", "tile.end"),
    HlOp("tile_block_size(tile)", "hl_calls.hl_tile_attribute", hl_eager.tile_block_size, "tile_attribute", "tile.block_size"),
    HlOp("tile_id(tile)", "hl_calls.hl_tile_attribute", hl_eager.tile_id, "tile_attribute", "tile.id"),
    HlOp("tile_count(tile)", "hl_calls.hl_tile_attribute", hl_eager.tile_count, "tile_attribute", "tile.count: the number of tiles along the loop"),
)  # fmt: skip
HL_BY_NAME = {op.name: op for op in HL}

_FP4_HINT = (
    "load the packed bytes as uint8 and unpack them yourself: (b & 0xF) and (b >> 4) give the "
    "two e2m1 codes; a 16-entry table (0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives) their values"
)
# Helion names (its newest snapshot, after 1.5.0: tests/helion_api.json) refused on purpose, each
# with why and what to write instead: name → (why, hint)
REFUSED_LANGUAGE: dict[str, tuple[str, str]] = {
    "float4_e2m1fn_x2_to_float32": (
        "unpacks torch.float4_e2m1fn_x2, a dtype Triton has no type for (Helion lowers it on its "
        "CuTe backend only)",
        _FP4_HINT,
    ),
    "load_float4_e2m1fn_x16_to_float16": (
        "loads 8 packed fp4 bytes as 16 float16 lanes with Helion's own PTX: this transpiler "
        "has no fp4 lowering",
        _FP4_HINT,
    ),
    "load_bfloat16_x16_to_float16": (
        "a 16-lane vector load Helion writes in PTX: this transpiler has no lowering for it",
        "load the bfloat16 values with an index and convert them: x[tile].to(torch.float16)",
    ),
    # Helion's types (its helion.language exports them): names for annotations, never called
    "Tile": (
        "is Helion's type of a tile, for annotations (`def helper(tile: hl.Tile)`); its tiles "
        "come from loops",
        "for tile in hl.tile(n): ... gives the tile; annotate with hl.Tile, do not call it",
    ),
    "StackTensor": (
        "is Helion's type of a stack of tensors on several devices (hl.stacktensor_like), which "
        "this transpiler does not lower",
        "pass the tensors as arguments of their own",
    ),
    "AsyncCopyDescriptor": (
        "is Helion's type of an asynchronous copy to another rank (hl.make_async_remote_copy), "
        "which this transpiler does not lower",
        "see docs/language.md for the distributed kernels this transpiler runs",
    ),
    "ProcessGroupName": (
        "is Helion's annotation of a process group's name argument (`group_name: "
        "hl.ProcessGroupName`), not a function to call in a kernel",
        "annotate the kernel's argument with it and pass the group's name when calling",
    ),
}

# Helion's names that are not in the table (its snapshot's, and Helion 1.5.0's functions:
# tests/test_arguments_tables.py compares): refused as "not of this transpiler yet".
HELION_ONLY = (
    "inline_asm_elementwise",
    "signal",
    "wait",
    "subscript",
    "stacktensor_like",
    "dot_scaled",
    "rand4x",
    "make_async_remote_copy",
    "remote_barrier",
    "pdl_wait",
    "pdl_launch_dependents",
    "breakpoint",
    "import_backend_codegen",
)
# Every helion.language name this transpiler knows: lowered (a row), not yet (HELION_ONLY) or refused
# on purpose (REFUSED_LANGUAGE); any other is a misspelling (UnknownLanguageNameError)
LANGUAGE_NAMES = tuple(op.name for op in HL) + HELION_ONLY + tuple(REFUSED_LANGUAGE)
# How host code spells a row's call (frontend/host_code.py); other rows are device code only
HOST_SPELLINGS = {
    "identity": "the argument itself",
    "block_size": "a power of two between 16 and 64 the launcher picks",
    "fragment": "the fragment's default",
    "statement": "a statement of its own between two device loops, nothing else",
}
# The rows a top-level device loop iterates over (hl.tile, hl.grid), and a jagged inner loop
DEVICE_LOOPS = tuple(op.name for op in HL if op.loop == "device")
JAGGED_LOOPS = tuple(op.name for op in HL if op.loop == "jagged")
UNROLLED_LOOPS = tuple(op.name for op in HL if op.loop == "unrolled")
# The rows that write into their first argument (hl.store, hl.atomic_*)
WRITERS = frozenset(op.name for op in HL if op.writes)
