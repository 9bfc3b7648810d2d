"""A bound call's arguments checked against their parameters' kinds (torch_signatures.PARAMETER_KINDS):
a flag known while transpiling, a dtype, a number, one of a few strings; else an error there."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import ArgumentUnknownError, UnsupportedConstructError
from ..frontend.torch_signatures import EXCLUSIVE, NUMBER_INPUTS, parameter_kind
from ..ops.table import ELEMENTWISE_BY_NAME, REDUCTIONS_BY_NAME
from .values import BLOCK, CONST, DTYPE, HOST_TENSOR, MODULE, TILE, TUPLE, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_FLAG_HINT = (
    "write True or False there, or pass a bool argument of the kernel (it is specialised on "
    "each value); other names are values passed at launch, unknown while transpiling"
)
# kind → (does the lowered value fit, what it must be, the fix)
_KINDS = {
    "flag": (
        lambda v: v.kind == CONST and isinstance(v.const, bool),
        "True or False, known while transpiling",
        _FLAG_HINT,
    ),
    "dtype": (
        # a torch name lowering has no dtype for (torch.complex64) gets its own error there
        lambda v: v.kind in (DTYPE, MODULE) or v.kind == CONST and v.const is None,
        "a dtype",
        "pass a torch dtype (torch.float32, x.dtype), not a string or a tensor",
    ),
    "scalar": (
        lambda v: (
            v.kind == CONST and isinstance(v.const, (int, float)) or v.kind == BLOCK and not v.dims
        ),
        "a number",
        "pass a number (or a scalar argument of the kernel), not a block of values",
    ),
    "optional scalar": (
        lambda v: v.kind == CONST and v.const is None or _KINDS["scalar"][0](v),
        "a number or None",
        "pass a number (or a scalar argument of the kernel), or None for the default",
    ),
    "order": (  # torch.norm's p: a number, or "fro" / "nuc" (lower/norms.py says which it lowers)
        lambda v: v.kind == CONST and isinstance(v.const, (int, float, str)),
        "a number or 'fro'",
        "pass p=2, p=1, p=float('inf') or p='fro' (the 2-norm)",
    ),
    "tensor": (
        lambda v: v.kind in (BLOCK, HOST_TENSOR),
        "a tensor (torch takes no Python number there)",
        "make it a tensor of the value's shape: torch.full_like(x, 0.5), or use torch.clamp "
        "(min= / max=) for a bound",
    ),
    "value": (
        lambda v: _a_value(v),
        "a number, a block or a tensor",
        "pass a number, a scalar argument of the kernel or a block, not a string, None or a dtype",
    ),
}


def _a_value(value: Value) -> bool:
    """A number, a block, a host tensor (hl.rand's one-element seed), or a tuple of them
    (hl.reduce's other= per input)."""
    if value.kind == TUPLE:
        return all(_a_value(item) for item in value.items)
    if value.kind == CONST:
        return isinstance(value.const, (bool, int, float))
    return value.kind in (BLOCK, HOST_TENSOR)


def check_values(
    k: KernelBuilder,
    function: str,
    owner: str,
    bound: dict[str, cst.BaseExpression],
    kinds: dict[str, str | tuple[object, ...]] | None = None,
) -> None:
    """Raise at the first bound argument whose value its parameter cannot take (`kinds`: an hl
    row's own, else torch_signatures.parameter_kind)."""
    pair = EXCLUSIVE.get(function, ())
    if pair and all(p in bound for p in pair):
        raise k.source.error(
            UnsupportedConstructError,
            bound[pair[1]],
            f"{owner}() takes {pair[0]}= or {pair[1]}=, not both",
            hint=f"leave out {pair[0]}= ({pair[0]}=False is {pair[1]}=0)",
        )
    for parameter, node in bound.items():
        kind = (kinds or {}).get(parameter) or parameter_kind(function, parameter)
        if kind is None:
            continue
        value = k.expressions.lower_expr(node)
        if isinstance(kind, tuple):
            if value.kind != CONST and kernel_argument(k, node):  # F.gelu(v, approximate=mode)
                raise k.source.error(
                    ArgumentUnknownError,
                    node,
                    f"{parameter}={k.source.code(node)} of {owner}() needs the argument's "
                    "value, known only when the kernel is called",
                )
            if not (value.kind == CONST and value.const in kind):
                choices = ", ".join(repr(c) for c in kind)
                written = k.source.code(node)
                given = repr(value.const) if value.kind == CONST else written
                its = f" (it is {given})" if given != written else ""  # an argument's value
                raise k.source.error(
                    UnsupportedConstructError,
                    node,
                    f"{parameter}={written}{its} of {owner}() is not one of {choices}",
                    hint=f"pass one of {choices}",
                )
            continue
        fits, must, hint = _KINDS[kind]
        if kind in ("flag", "dtype") and not fits(value) and kernel_argument(k, node, kind):
            raise k.source.error(
                ArgumentUnknownError,
                node,
                f"{parameter}={k.source.code(node)} of {owner}() needs the argument's value, "
                "known only when the kernel is called",
            )
        if kind == "dtype" and value.kind == TILE:  # hl.zeros(tile_m, tile_n): no list
            hint = f"the shape is one list: {owner}([..., {k.source.code(node)}], dtype=...)"
        if not fits(value) or kind == "tensor" and _number_argument(k, node):
            raise k.source.error(
                UnsupportedConstructError,
                node,
                f"{parameter}={k.source.code(node)} of {owner}() must be {must}",
                hint=hint,
            )


def _number_argument(k: KernelBuilder, node: cst.BaseExpression) -> bool:
    """A number the kernel is called with (a Python int or float there, not a tensor)."""
    return isinstance(node, cst.Name) and node.value in k.host.scalar_params


def check_number_input(
    k: KernelBuilder, name: str, value: Value, first: cst.BaseExpression
) -> None:
    """`torch.maximum(0.5, x)`, `torch.exp(2.0)`: torch refuses a Python number as `input`
    (`first`) except where an overload takes one (torch_signatures.NUMBER_INPUTS)."""
    number = value.kind == CONST and isinstance(value.const, (int, float))
    known = name in ELEMENTWISE_BY_NAME or name in REDUCTIONS_BY_NAME  # others: their own error
    if not known or name in NUMBER_INPUTS or not (number or _number_argument(k, first)):
        return
    raise k.source.error(
        UnsupportedConstructError,
        first,
        f"torch.{name}() takes a tensor as its input, not the number {k.source.code(first)}",
        hint="compute on a block (torch.full_like(x, value)), or use Python's math for numbers",
    )


def kernel_argument(k: KernelBuilder, node: cst.BaseExpression, kind: str = "flag") -> bool:
    """A parameter of the kernel, not one the call's arguments already gave a value (for a
    dtype: none annotated a number or a tensor, which no call makes a dtype)."""
    if not (isinstance(node, cst.Name) and node.value in k.host.params):
        return False
    return kind != "dtype" or node.value not in k.host.scalar_params | k.host.tensors
