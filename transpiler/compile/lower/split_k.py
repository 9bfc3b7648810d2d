"""A product whose K is a whole dimension (`x[tile_m, :] @ w[:, :]`) also looped over chunks of
K: when its whole operands would outgrow shared memory, each chunk's operands are computed
again from their source and accumulated in float32, float64 factors in float64 (a constexpr
the launcher sets chooses)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import expr, render
from ..frontend.errors import TranspileError
from ..ops.table import ELEMENTWISE_BY_NAME
from .stages import BranchLoads
from .values import HOST_TENSOR, Axis, Value, block

# (M + N) * K elements above which the whole operands are not held at once: 64 KiB of
# half-precision operands (128 KiB in float32), the most a one-shot tl.dot's operands should
# take of Hopper's 227 KiB of shared memory. Attention's [128, 128] x [128, 128] stays whole.
# Elements wider than 4 bytes count their size: 16,384 float64 ones (32,768 would need
# 256 KiB at one stage: batched_rows at width 400).
WHOLE_ELEMENTS = 32768
WHOLE_BYTES = WHOLE_ELEMENTS * 4  # the flag: (M + N) * K * max(4, element sizes) > this


def too_wide_to_hold(m: int, n: int, k: int, element_size: int) -> bool:
    """The split flag's test at these block sizes (run/shared_estimate.py's copy of it)."""
    return (m + n) * k * max(4, element_size) > WHOLE_BYTES


# K lanes per chunk: 4096 / max(M, N) (pipelined chunks stay near 16 KiB), 32 to 64 (a
# product of 8-bit factors, float8 or int8, needs 32 K lanes on NVIDIA GPUs)
CHUNK = "max(32, min(64, 4096 // max({m}, {n})))"
# a tile's default block beside a whole M or N (se_block's [M, 1024] float32 accumulator):
# at most 16,384 accumulator lanes, 128 registers a thread at 4 warps
NARROW = "max(16, min(64, 16384 // {whole}))"
_SWAPS = ("T", "mT")  # attributes that swap a 2-D block's dimensions
_SWAP_METHODS = ("t", "transpose", "permute")
_KEEP_METHODS = ("to", "float", "half", "bfloat16", "double", "type", "contiguous")


@dataclass
class Definition:
    """A name's latest assignment in the device loop: its source, value and order."""

    node: cst.BaseExpression
    value: Value
    order: int
    loop_depth: int


@dataclass
class Definitions:
    """The device loop's assignments to names, so a product can compute an operand again."""

    by_name: dict[str, Definition] = field(default_factory=dict)
    assigned: dict[str, int] = field(default_factory=dict)  # name → order of its latest assign
    count: int = 0

    def rebound(self, name: str) -> None:
        self.count += 1
        self.assigned[name] = self.count
        self.by_name.pop(name, None)

    def define(self, name: str, node: cst.BaseExpression, value: Value, loop_depth: int) -> None:
        self.by_name[name] = Definition(node, value, self.assigned.get(name, 0), loop_depth)


@dataclass
class SplitK:
    """While a product's operands are lowered again: the whole K axis, the chunk axis standing
    for it, where K is in each subscript's result, the names computed again from source."""

    whole: Axis
    chunk: Axis
    positions: dict[int, int]  # id(subscript node) → position of K in its result
    recomputed: dict[str, cst.BaseExpression]


def chunk_axis_for(builder, node: cst.Subscript, position: int, axis: Axis) -> Axis:
    """The axis a whole dimension (`:`) of this subscript takes: the chunk's while a product's
    operand is lowered again and this `:` is its K, else its own."""
    split: SplitK | None = builder.k_split
    if split is None or axis is not split.whole or split.positions.get(id(node)) != position:
        return axis
    return split.chunk


def recomputed(builder, name: str) -> cst.BaseExpression | None:
    """The source of a name an operand reads along K, lowered again for each chunk."""
    split: SplitK | None = builder.k_split
    return None if split is None else split.recomputed.get(name)


def split_whole_k(
    builder, nodes: tuple, whole_code: ast.expr, acc: Value | None, out_dtype, dims, marks, node
) -> Value | None:
    """The product as `if SPLIT: <loop over chunks of K> else: <one tl.dot>`, or None when
    its operands cannot be computed a chunk at a time (it stays one tl.dot). `dims`: the
    result's (a squeezed batch of one in front: no Triton dimension) and K."""
    *out_dims, m_axis, n_axis, whole = dims
    batch = len(out_dims)
    if (
        builder.reduction_loops.chunks
        or builder.descriptors_wanted
        or builder.inlining is not None
        or not builder.whole_axes.is_full_axis(whole)
    ):
        return None
    positions: dict[int, int] = {}
    names: dict[str, cst.BaseExpression] = {}
    left_node, right_node = nodes
    if not (
        _walk(builder, left_node, 1, positions, names)
        and _walk(builder, right_node, 0, positions, names)
    ):
        return None
    tensors = _read_tensors(nodes, names, positions)
    positions = {key: batch + place for key, place in positions.items()}  # behind the batch
    mark, preamble, unsynced, loads = marks
    start = mark + (builder.preamble_end - preamble)
    original = builder.lines[start:]
    del builder.lines[start:]
    whole_loads = len(builder.loop_loads)  # the whole K's loads: loads to here
    suffix = whole.block.removeprefix("BLOCK_")
    fresh = builder.names.fresh
    chunk = Axis(
        offsets=fresh(f"{whole.offsets}_chunk"),
        mask=fresh(f"{whole.mask}_chunk"),
        block=fresh(f"CHUNK_{suffix}"),
        end=whole.end,
        begin=ast.Name(id=fresh(f"start_{suffix.lower()}")),
        tile_id=ast.Constant(value=0),
        label=f"chunks of {whole.label}",
    )
    depth, lines, preamble_end = builder.depth, builder.lines, builder.preamble_end
    builder.lines, builder.depth = [], depth + 2
    builder.k_split = SplitK(whole, chunk, positions, names)
    synced, builder.unsynced_stores = builder.unsynced_stores, set(unsynced)  # barriers again
    try:
        left, right = (builder.dots.dot_operand(n) for n in nodes)
        fits = _chunked(left, right, chunk, whole) and builder.preamble_end == preamble_end
    except TranspileError:  # an operand that cannot be computed a chunk at a time
        fits = False
    finally:
        builder.k_split = None
        inner, builder.lines, builder.depth = builder.lines, lines, depth
        builder.unsynced_stores = synced
    if not fits:
        builder.lines.extend(original)
        del builder.loop_loads[whole_loads:]  # the chunks' loads: not made
        return None
    as_stored = left.storage is not None and right.storage is not None
    operands = [
        builder.dots.dot_input(value, as_stored, position=1 - index, axis=chunk)
        for index, value in enumerate((left, right))
    ]
    product = fresh("product")
    builder.split_products.add(product)  # a name of ours: scaled_products may scale it
    builder.use_helper("dot_into")  # the chunks' sum keeps its dtype (float64 factors too)
    step = builder.dots.with_precision(
        expr("dot_into(a, b, c)", a=operands[0], b=operands[1], c=ast.Name(id=product))
    )
    if out_dtype is not None:
        step.keywords.append(
            ast.keyword(arg="out_dtype", value=builder.expressions.lower_expr(out_dtype).code)
        )
    shape = render(builder.dots.block_shape((m_axis, n_axis)))
    initial = render(acc.code) if acc is not None else f"tl.zeros({shape}, tl.float32)"
    if acc is None and as_stored:  # the factors' dtype, 16-bit ones (and float8) as float32:
        builder.use_helper("upcast_half")  # float64 factors sum in float64, as the whole K's do
        initial = f"upcast_half(tl.zeros({shape}, {render(left.storage)}))"
    flag = fresh(f"SPLIT_{suffix}")
    if len(builder.loop_loads) > loads:  # in a loop: a stage buffers one branch's loads
        branches = builder.loop_loads[whole_loads:], builder.loop_loads[loads:whole_loads]
        builder.split_loads[flag] = BranchLoads(render(whole.end), *branches)
        del builder.loop_loads[loads:]
    sizes = {"m": m_axis.block, "n": n_axis.block, "k": whole.block}
    widths = ", ".join(f"{tensor}.element_size()" for tensor in tensors)
    builder.split_flags[flag] = (
        f"({sizes['m']} + {sizes['n']}) * {sizes['k']} * max(4, {widths}) > {WHOLE_BYTES}"
    )
    builder.split_flags[chunk.block] = CHUNK.format(**sizes)
    for tiled, other in ((m_axis, n_axis), (n_axis, m_axis)):  # a [tile, whole] accumulator
        if builder.whole_axes.is_full_axis(other) and not builder.whole_axes.is_full_axis(tiled):
            builder.narrow_blocks[tiled.block] = NARROW.format(whole=other.block)
    line = builder.source.line_of(node)
    size = render(whole.end)
    emitted = [
        (
            0,
            f"if {flag}:  # K ({size}) in chunks: its whole operands outgrow shared memory",
        ),
        (1, f"{product} = {initial}"),
        (1, f"for {render(chunk.begin)} in tl.range(0, {size}, {chunk.block}):"),
        (2, f"{chunk.offsets} = {render(chunk.begin)} + tl.arange(0, {chunk.block})"),
        (2, f"{chunk.mask} = {chunk.offsets} < {size}"),
    ]
    for offset, text in emitted:
        builder.lines.append(builder.make_line(depth + offset, text, line))
    builder.lines.extend(inner)
    builder.lines.append(builder.make_line(depth + 2, f"{product} = {render(step)}", line))
    builder.lines.append(builder.make_line(depth, "else:", line))
    for kept in original:
        builder.lines.append(builder.make_line(kept.depth + 1, kept.text, kept.source_line))
    builder.lines.append(builder.make_line(depth + 1, f"{product} = {render(whole_code)}", line))
    out_dims = (*out_dims, m_axis, n_axis)
    if acc is not None:
        out_dims = builder.broadcasting.broadcast_dims(block(None, out_dims), acc, node)
    return block(ast.Name(id=product), out_dims, "float")


def _read_tensors(nodes: tuple, names: dict, positions: dict) -> list[str]:
    """The host tensors the operands read (through the names computed again), in order."""
    found = []
    for root in (*nodes, *names.values()):
        for node in m.findall(root, m.Subscript(value=m.Name())):
            if id(node) in positions and node.value.value not in found:
                found.append(node.value.value)
    return found


def _chunked(left: Value, right: Value, chunk: Axis, whole: Axis) -> bool:
    """Both operands 2-D in Triton (a squeezed batch of one in front) with the chunk along K (M and N may be the whole K's axis too:
    se_block's `x_tile @ w[:, :]`, whose N is K's dimension)."""
    ranks = (left.triton_rank, right.triton_rank)
    return ranks == (2, 2) and left.dims[-1] is chunk and right.dims[-2] is chunk


def _walk(builder, node, want: int, positions: dict, names: dict) -> bool:
    """Whether an operand is element-wise work on subscripts of host tensors (through names
    assigned earlier in the loop, casts and transposes), noting where K is in each subscript's
    result (`want`: 1 for the left factor, 0 for the right, swapped by a transpose)."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Subscript):
        base = node.value
        if not isinstance(base, cst.Name) or base.value in builder.scope:
            return False
        if builder.expressions.lower_expr(base).kind != HOST_TENSOR:
            return False
        positions[id(node)] = want
        return True
    if isinstance(node, cst.Attribute) and node.attr.value in _SWAPS:
        return _walk(builder, node.value, 1 - want, positions, names)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method, inner = node.func.attr.value, node.func.value
        if builder.aliases.qualified(node.func) is None:  # a method, not torch.<name>
            if method in _SWAP_METHODS:
                return _walk(builder, inner, 1 - want, positions, names)
            if method in _KEEP_METHODS:
                return _walk(builder, inner, want, positions, names)
            return False
    if isinstance(node, cst.Call):
        qualified = builder.aliases.qualified(node.func) or ""
        name = qualified.rsplit(".", 1)[-1]
        if not qualified.startswith("torch.") or name not in ELEMENTWISE_BY_NAME:
            return False
        return all(
            a.keyword is not None or _walk(builder, a.value, want, positions, names)
            for a in node.args
        )
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.MatrixMultiply):
            return False
        return all(_walk(builder, side, want, positions, names) for side in (node.left, node.right))
    if isinstance(node, cst.UnaryOperation):
        return _walk(builder, node.expression, want, positions, names)
    if isinstance(node, cst.Name):
        return _name(builder, node.value, want, positions, names)
    return False


def _name(builder, name: str, want: int, positions: dict, names: dict) -> bool:
    """A name an operand reads: as it is when it has no K; else computed again from its
    assignment, which must be the value it holds, at this loop depth or outside, and read
    only names not assigned since."""
    value = builder.scope.get(name)
    if (
        value is None
        or value.kind != "block"
        or not any(builder.whole_axes.is_full_axis(d) for d in value.dims if d is not None)
    ):
        return value is not None or name not in builder.definitions.assigned
    definition: Definition | None = builder.definitions.by_name.get(name)
    if (
        definition is None
        or definition.value is not value
        or definition.loop_depth > builder.loop_depth
        or name in names
        and names[name] is not definition.node
    ):
        return False
    for read in m.findall(definition.node, m.Name()):
        if builder.definitions.assigned.get(read.value, 0) >= definition.order:
            return False  # assigned since (or the name itself: `rows = rows / total`)
    names[name] = definition.node
    return _walk(builder, definition.node, want, positions, names)
