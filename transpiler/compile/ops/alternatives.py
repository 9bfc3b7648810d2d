"""What to write instead of a torch op the op table does not lower: hints as data."""

from __future__ import annotations

from ..frontend.errors import near_names

# torch functions that make a tensor: memory the host allocates, never a device loop
ALLOCATIONS = ("zeros", "ones", "empty", "full", "tensor", "empty_strided")
# torch op → an equivalent spelling that works inside a device loop (or what to do instead).
ALTERNATIVES: dict[str, str] = {
    "kthvalue": "take torch.kthvalue on the host",
    "median": "take torch.median on the host",
    "nanmedian": "take torch.nanmedian on the host",
    "mode": "take torch.mode on the host",
    "arange": "write tile.index for a tile's indices (tile.index + 1 counts from 1), or "
    "hl.arange(block_size) for 0 .. block_size - 1",
    "roll": "load with shifted indices: x[(tile.index + shift) % n]",
    "outer": "write a[:, None] * b[None, :]",
    "mv": "a matrix times a vector is a sum of products: write (a * v[None, :]).sum(-1)",
    "addmv": "write acc + (a * v[None, :]).sum(-1)",
    "dot": "a vector's dot product is a sum of products: write (a * b).sum()",
    "vdot": "write (a * b).sum()",
    "ger": "write a[:, None] * b[None, :]",
    "std_mean": "write torch.var_mean(x, dim) and take torch.sqrt of the variance",
    "chunk": "slice the parts in the subscript: x[tile, :h], x[tile, h:] with h = n // 2 "
    "from host code",
    "tensor_split": "slice the parts in the subscript: x[tile, :h], x[tile, h:]",
    "glu": "split the halves with x[:, :h] indices and write a * torch.sigmoid(b)",
    "rrelu": "in inference, write F.leaky_relu(x, (lower + upper) / 2)",
    "prelu": "write torch.where(x > 0, x, weight * x)",
    "erfinv": "no Triton spelling runs in the interpreter: compute it on the host",
    "digamma": "no Triton spelling runs in the interpreter: compute it on the host",
    "polygamma": "no Triton spelling runs in the interpreter: compute it on the host",
    "i0": "no Triton spelling runs in the interpreter: compute it on the host",
    "heaviside": "write torch.where(x == 0, values, (x > 0).float())",
    "deg2rad": "write x * (math.pi / 180)",
    "rad2deg": "write x * (180 / math.pi)",
    "float_power": "write torch.pow(x.double(), y)",
    "absolute": "write torch.abs(x)",
    "negative": "write -x",
    "multiply": "write x * y",
    "subtract": "write x - y",
    "divide": "write x / y",
    "arctan": "write torch.atan(x)",
    "arcsin": "write torch.asin(x)",
    "arccos": "write torch.acos(x)",
    "arcsinh": "write torch.asinh(x)",
    "arccosh": "write torch.acosh(x)",
    "arctanh": "write torch.atanh(x)",
    "arctan2": "write torch.atan2(y, x)",
    "fix": "write torch.trunc(x)",
    "clip": "write torch.clamp(x, min, max)",
    "greater": "write x > y",
    "less": "write x < y",
    "not_equal": "write x != y",
    "isclose": "write torch.abs(x - y) <= atol + rtol * torch.abs(y)",
    "logaddexp2": "write torch.log2(torch.exp2(x) + torch.exp2(y))",
    "expit": "write torch.sigmoid(x)",
    "ndtr": "write 0.5 * torch.erfc(-x * 0.7071067811865476)",
    "log_ndtr": "write torch.log(0.5 * torch.erfc(-x * 0.7071067811865476))",
    "xlog1py": "write x * torch.log1p(y)",
    "entr": "write -x * torch.log(x) (0 at 0)",
    # blocks made inside a device loop from nothing or like another block
    "empty_like": "write torch.zeros_like(v) (or hl.zeros([tile], dtype=v.dtype)): an empty "
    "block's values are whatever the registers held",
    "new_empty": "write v.new_zeros(...) (or hl.zeros([tile], dtype=v.dtype)): an empty "
    "block's values are whatever the registers held",
    **dict.fromkeys(
        ("rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "randperm"),
        "random numbers inside a device loop come from hl.rand([tile], seed) or "
        "hl.randint([tile], low, high, seed); or draw them on the host, before the loop",
    ),
    **dict.fromkeys(
        ("eye", "linspace", "logspace", "as_tensor", "from_numpy"),
        "make the tensor in host code, before the loop, and load its tile (t[tile]); a "
        "constant block is hl.full([tile], value, dtype=...)",
    ),
    # tensors made inside a device loop: memory is allocated by the host, before the loop
    **dict.fromkeys(
        ALLOCATIONS,
        "allocate tensors in host code, before the loop; a block inside it is "
        "hl.zeros([tile], dtype=torch.float32) or hl.full([tile], value, dtype=...)",
    ),
}


def unsupported_hint(name: str, known: list[str]) -> str:
    """The hint for an op the table does not lower: its alternative, an in-place method's
    assignment, else close names."""
    return (
        ALTERNATIVES.get(name)
        or in_place_hint(name, known)
        or near_names(name, known)
        or "see docs/ops.md for the supported ops and the alternatives to the others"
    )


# in-place methods without an out-of-place row of their name: what to assign instead
IN_PLACE = {
    "copy_": "store the value: out[tile] = value",
    "zero_": "assign a new block: v = torch.zeros_like(v), or store zeros: out[tile] = 0",
    "fill_": "assign a new block: v = torch.full_like(v, value), or store it: out[tile] = value",
}


def in_place_hint(name: str, known: list[str]) -> str | None:
    """`v.add_(1)`, `v.copy_(w)`: device code changes a block by assigning its name, a tensor
    by storing into it; the out-of-place op where the table has it."""
    if name in IN_PLACE:
        return IN_PLACE[name]
    base = name.removesuffix("_")
    if base == name or name.startswith("_") or base not in known:
        return None
    return (
        f"{name} changes its tensor in place: assign the result of {base} instead "
        f"(v = v.{base}(...)), or store it: out[tile] = ..."
    )


# Python builtins a device loop cannot call: what to write instead.
BUILTIN_ALTERNATIVES = {
    "len": "a block's length is v.size(0) (its tile's lanes inside the tensor, as torch's "
    "len of the slice); a tile's block is tile.block_size; a tensor's size is x.size(0)",
    "range": "loop over a range as a statement: `for i in range(n):`",
    "list": "device code has blocks, not lists: hl.zeros([tile, n], dtype=...)",
    "sorted": "torch.sort(x, dim) sorts a block",
    "pow": "x ** y, or torch.pow(x, y)",
    "sum": "a block's sum is v.sum() (or torch.sum(v, dim)); Python's sum() iterates",
    "any": "v.any() (or (v != 0).any()) reduces a block; Python's any() iterates",
    "all": "v.all() reduces a block; Python's all() iterates",
    "max": "one block's largest is v.max() (or torch.amax(v, dim)); max(a, b) of two is "
    "element-wise",
    "min": "one block's least is v.min() (or torch.amin(v, dim)); min(a, b) of two is element-wise",
    "map": "apply the function to the block itself: f(v) works on every lane",
    "filter": "choose per element with torch.where(condition, v, other)",
    "zip": "blocks combine element-wise: a + b, torch.stack([a, b], -1)",
    "enumerate": "a block's indices are tile.index",
    "isinstance": "check types in host code, before the loop",
    "divmod": "v // d and v % d",
    "tuple": "device code has blocks, not tuples of their elements",
    "round": "round(x) of a block is torch.round(x); to d decimals write "
    "torch.round(x * 10**d) / 10**d; round a Python number in host code, before the loop",
}

_HOST_WORK = "do it in host code, before or after the loop"
# Python builtins that only host code can call: what to write instead (HOST_ONLY_HINT for the
# rest of Python's builtins)
HOST_ONLY_BUILTINS = {
    "breakpoint": "debug the body as PyTorch: the kernel's .reference(*args) runs it eagerly, "
    "where breakpoint() stops; or print a block with hl.device_print('v = ', v)",
    "input": _HOST_WORK,
    "open": _HOST_WORK,
    "exit": "raise an exception in host code, before the loop; a device loop runs to its end",
    "quit": "raise an exception in host code, before the loop; a device loop runs to its end",
    "type": "a block's dtype is v.dtype; choose code by it: if v.dtype == torch.float32: ...",
    "id": _HOST_WORK,
    "hash": _HOST_WORK,
    "getattr": "write the attribute itself (x.dtype, tile.begin)",
    "hasattr": "check in host code, before the loop",
    "callable": "check in host code, before the loop",
    "iter": "a block is not iterated: it computes element-wise (v * 2), reduces (v.sum(0))",
    "next": "a block is not iterated: it computes element-wise (v * 2), reduces (v.sum(0))",
    "reversed": "torch.flip(v, [0]) of a whole row (x[tile, :]) reverses it",
    "str": "device code has no strings: hl.device_print('v = ', v) prints a block",
    "repr": "device code has no strings: hl.device_print('v = ', v) prints a block",
    "format": "device code has no strings: hl.device_print('v = ', v) prints a block",
}
HOST_ONLY_HINT = "call it in host code, before or after the loop; device code calls torch and hl"
