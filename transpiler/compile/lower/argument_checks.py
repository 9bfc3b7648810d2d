"""What the launcher checks of argument values before a launch, in the user's words: a block
size argument that is no power of two, a tensor passed for a number, a float tensor whose
values index another tensor, a literal index outside its dimension, a number parameter given
a tensor, a string or an int past int64. Each is a line naming the
argument: a `require(...)` (the tidy step `checks_as_raises` writes it `if ...: raise ...`) or,
for a block size, a helper's call."""

from __future__ import annotations

import ast

import libcst as cst

from ..frontend.errors import IndexDtypeError, UnsupportedDtypeError
from .values import BLOCK, CONST, Value

# The launcher's helpers for the checks that need more than a test and a message.
ARGUMENT_HELPERS: dict[str, str] = {
    "indices_inside": '''def indices_inside(index: torch.Tensor, size: int) -> bool:
    """Whether every value of an index tensor lies in [-size, size), as torch requires."""
    if index.numel() == 0 or index.dtype == torch.bool or index.is_floating_point():
        return True  # (floats are refused by their own check)
    if size == 1:
        return True  # a dimension of 1 broadcasts, as in Helion: any index reads its element
    if index.is_cuda and torch.cuda.is_current_stream_capturing():
        return True  # a CUDA graph being captured: no host sync allowed
    low, high = torch.aminmax(index)
    return bool((low >= -size) & (high < size))
''',
    "check_block_size": '''def check_block_size(name: str, value: object, line: int = 0) -> None:
    """An argument (or a host expression, at `line`) used as a block size: a power of two."""
    if isinstance(value, torch.SymInt):
        return  # torch.compile tracing: the value is checked when the graph runs it
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value & (value - 1):
        if line:
            raise ValueError(f"line {line}: block_size={name} is {value!r} here, not a power of "
                             f"two: round it up with helion.next_power_of_2({name})")
        raise ValueError(f"{name}={value!r} is used as a block size: it must be a power of two")
''',
}


def power_of_two_check(name: str, line: int = 0) -> str:
    """`hl.tile(n, block_size=name)` with `name` an argument, or a host expression on `line`
    (`block_size=x.size(0)`: Triton would fail inside tl.arange)."""
    if line:
        return f"check_block_size({name!r}, {name}, {line})"
    return f'check_block_size("{name}", {name})'


def number_check(name: str) -> str:
    """A parameter annotated int / float / bool: a Python number (not a tensor, a string, a
    list: Triton cannot pass them; int64_check checks an int's range). Under torch.compile a
    SymInt or SymFloat passes."""
    kinds = "(int, float, torch.SymInt, torch.SymFloat)"
    message = f'f"{name} must be a number, not {{type({name}).__name__}} (a tensor: {name}.item())"'
    return f"require(isinstance({name}, {kinds}), {message}, TypeError)"


def int64_check(name: str) -> str:
    """A number argument the kernel receives: an int must fit int64 (Triton passes one in
    [2**63, 2**64) as uint64, which compares otherwise than torch, and fails inside its launcher
    past that, where torch refuses it too)."""
    test = f"not isinstance({name}, int) or -(2**63) <= {name} < 2**63"
    message = f'f"{name} = {{{name}}} does not fit int64 (the kernel computes with int arguments in int64)"'
    return f"require({test}, {message}, OverflowError)"


def integers_check(tensor: str, why: str) -> str:
    """A tensor whose values the kernel uses as integers."""
    test = f"{tensor}.is_floating_point() or {tensor}.is_complex()"
    message = f'f"{tensor} must hold integers ({why}), got {{{tensor}.dtype}}"'
    return f"require(not ({test}), {message}, TypeError)"


def index_check(tensor: str, dim: int, index: int, line: int) -> str:
    """An integer written as an index in the kernel: inside its dimension, as torch requires
    (`x[tile, 3]`: x.size(1) >= 4; `x[tile, -2]`: x.size(1) >= 2)."""
    size = f"{tensor}.size({dim})"
    test = f"{size} >= {index + 1 if index >= 0 else -index}"
    message = f"line {line}: index {index} is out of range for {tensor}'s dim {dim} ({{{size}}})"
    return f'require({test}, f"{message}", IndexError)'


def argument_value_checks(builder) -> list[str]:
    """The checks a lowered loop asks of its arguments (block sizes, numbers, index tensors)."""
    checks = list(dict.fromkeys(builder.argument_checks))
    checks += [number_check(name) for name in sorted(builder.host.scalar_params)]
    scalars = {p.launch for p in builder.params.values() if p.kind == "scalar"}
    checks += [number_check(name) for name in sorted(scalars & builder.host.tensor_derived)]
    numbers = {p.launch for p in builder.params.values() if p.kind == "scalar"}
    numbers -= builder.host.floats  # (a float annotation: a float past 2**63 is a float)
    checks += [int64_check(name) for name in sorted(numbers & set(builder.host.params))]
    checks += [
        integers_check(tensor, "its values index another tensor")
        for tensor in sorted(builder.index_tensors)
    ]
    if str(builder.settings.get("check_indices", True)) != "False":
        checks += [index_tensor_check(*read) for read in sorted(builder.index_reads)]
    builder.host_helpers.update(
        name for name in ARGUMENT_HELPERS if any(f"{name}(" in c for c in checks)
    )
    return checks


def note_index_value(builder, value: Value, node: cst.CSTNode) -> None:
    """A device value used as an index: a float one is refused here, a load's tensor is checked
    by the launcher to hold integers."""
    if value.kind == CONST:
        return
    if value.kind == BLOCK and value.dtype == "float":
        raise builder.source.error(
            IndexDtypeError,
            node,
            "a float value used as an index",
            hint="index with integers: convert with .to(torch.int64) (or .long()) first",
        )
    builder.index_tensors.update(value.loaded_from)


def note_index_tensor(builder, target: cst.Subscript, dim: int, value: Value) -> None:
    """`x[idx[tile]]`: an argument's values, loaded unchanged, index dim `dim` of host tensor
    x; the launcher checks them inside it, as torch raises IndexError (settings' check_indices).
    Indices the kernel computes are not checked (the host does not see them)."""
    tensor = target.value
    if value.kind != BLOCK or not value.loaded_from or not isinstance(tensor, cst.Name):
        return
    line = builder.source.line_of(target)
    for index in value.loaded_from:
        builder.index_reads.add((index, tensor.value, dim, line))


def index_tensor_check(index: str, tensor: str, dim: int, line: int) -> str:
    size = f"{tensor}.size({dim})"
    message = (
        f"line {line}: a value of {index} is out of range for {tensor}'s dim {dim} ({{{size}}}); "
        "check_indices=False in @helion.kernel(...) skips this check"
    )
    return f'require(indices_inside({index}, {size}), f"{message}", IndexError)'


def constant_index(builder, tensor: str, dim: int, value: Value, node: cst.CSTNode) -> ast.expr:
    """An integer literal indexing a dimension, read as torch reads it: a negative one counts
    from the end (`x[tile, -1]`: the last column); the launcher checks it lies inside the
    dimension (torch's IndexError), so no literal reads past the tensor, unless host code made
    the dimension of a literal size it lies inside (`torch.empty([m, 6])`: out[tile, 5])."""
    index = value.const
    if not isinstance(index, int) or isinstance(index, bool):
        return value.code
    line = builder.source.line_of(node)
    key = builder.host.size_key(tensor, dim)
    if not (key.isdigit() and -int(key) <= index < int(key)):  # (host code's literal size: inside)
        builder.argument_checks.append(index_check(tensor, dim, index, line))
    if index >= 0:
        return value.code
    if key.isdigit():
        return ast.Constant(int(key) + index)
    return ast.BinOp(ast.Name(id=builder.size_param(key)), ast.Sub(), ast.Constant(-index))


def in_place_check(builder, tensor: str, value: Value, symbol: str, line: int) -> None:
    """`out[tile] += v`: torch computes in the two dtypes' common one and refuses to cast a float
    result into an integer `out` (a bool one into...), where a store would truncate: so does the
    launcher, for a value known to be float or loaded unconverted from tensors."""
    if value.dtype == "float":
        test = f"{tensor}.is_floating_point() or {tensor}.is_complex()"
    elif value.loaded_from and value.kind == BLOCK:
        test = " and ".join(
            f"torch.can_cast(torch.result_type({tensor}, {source}), {tensor}.dtype)"
            for source in sorted(value.loaded_from)
        )
    else:
        return
    message = f"line {line}: {tensor} {symbol}= ... gives a result torch cannot cast to {{{tensor}.dtype}}"
    builder.argument_checks.append(f'require({test}, f"{message}", TypeError)')


def floats_only(builder, name: str, value: Value, args, node: cst.CSTNode, why: str = "") -> None:
    """torch.mean / var / std of integers or bools: torch refuses them (it could not infer the
    result's dtype), so does the transpiler where the dtype is known, else the launcher. `why`:
    another reason than torch's refusal (torch.einsum, lowered for floats only)."""
    if "dtype" in args.keywords:
        return
    if value.dtype in ("int", "bool"):
        raise builder.source.error(
            UnsupportedDtypeError,
            node,
            f"torch.{name} of {value.dtype} values: {why or 'torch takes only floats'}",
            hint="convert first: x.float()",
        )
    # the tensors the value is loaded or computed from unconverted (`(x[t] * 2).mean()`): torch's
    # result is a float where one of them is
    sources = sorted(value.loaded_from | value.fed_by) if value.dtype != "float" else []
    if not sources:
        return
    line = builder.source.line_of(node)
    named = ", ".join(sources)
    dtypes = ", ".join(f"{{{tensor}.dtype}}" for tensor in sources)
    message = f"line {line}: torch.{name} takes floats, {named} {'is' if len(sources) == 1 else 'are'} {dtypes}"
    if why:
        message = f"line {line}: torch.{name} of {named}, {dtypes}: {why}"
    test = " or ".join(f"{t}.is_floating_point() or {t}.is_complex()" for t in sources)
    builder.argument_checks.append(
        f'require({test}, f"{message}: pass {sources[0]}.float()", TypeError)'
    )
