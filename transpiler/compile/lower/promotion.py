"""torch's rule for a 0-d tensor meeting a tensor with dimensions: it takes their dtype."""

from __future__ import annotations

import ast
import math
import re
from dataclasses import replace

import torch

from ..emit.codegen import expr, render
from .integer_promotion import float_argument
from .values import BLOCK, CONST, Value, block

# torch.result_type: a 0-d tensor does not widen a tensor with dimensions of the same kind
# (bool < integer < float); `zero_dim_as` casts it to the dimensioned operand's dtype as
# stored, unless its own kind is the higher one (then Triton's promotion is torch's).
HELPER = "zero_dim_as"


def is_zero_dim_tensor(value: Value) -> bool:
    """A 0-d tensor (a load of one element, a cast, a reduction): not a Python number."""
    return (
        value.kind == BLOCK
        and not value.dims
        and (value.storage is not None or value.zero_dim_tensor)
    )


def result_of(result: Value, operands: list[Value]) -> Value:
    """`result` marked a 0-d tensor when it is 0-d and an operand was one (`v[i] * 2`), and
    widened when an operand was (an integer sum inside: Value.widened)."""
    if any(v.widened for v in operands):
        result = replace(result, widened=True)
    filled = frozenset().union(*(v.filled_lanes for v in operands if v.kind == BLOCK))
    if filled:  # (those of its own axes)
        result = replace(result, filled_lanes=filled & {d for d in result.dims if d is not None})
    if not result.dims and result.kind == BLOCK and any(map(is_zero_dim_tensor, operands)):
        return replace(result, zero_dim_tensor=True)
    return result


def with_dimensioned_dtype(builder, operands: list[Value]) -> list[Value]:
    """The operands with each 0-d tensor cast to the dtype of the first dimensioned operand
    whose dtype in memory is known (a load or a cast), else of a computed float row (a 0-d
    float beside it), as torch's type promotion does."""
    if not any(is_zero_dim_tensor(v) for v in operands):
        return operands
    rows = [v for v in operands if v.kind == BLOCK and v.dims and v.storage is not None]
    if rows:
        dtype = rows[0].storage
    else:  # a computed float row (`x.sum(-1) * y.sum()`): its own dtype, the row named once
        computed = _float_rows(operands)
        if not computed or not any(_float_zero_dim(v) for v in operands):
            return operands
        named = named_row(builder, computed[0], "row", None)
        operands = [named if v is computed[0] else v for v in operands]
        dtype = expr("r.dtype", r=named.code)
    builder.use_helper(HELPER)
    return [
        replace(v, code=expr("zero_dim_as(v, d)", v=v.code, d=dtype))
        if is_zero_dim_tensor(v)
        else v
        for v in operands
    ]


def _float_zero_dim(value: Value) -> bool:
    """A 0-d tensor of floats (or of a dtype known at the launch): float64 widens no float row."""
    return is_zero_dim_tensor(value) and value.dtype in (None, "float")


# dtypes a Python float is rounded to where torch compares it with a tensor of one of them
_ROUNDING = (torch.float16, torch.bfloat16, torch.float8_e4m3fn, torch.float8_e5m2)


def compared_numbers(builder, operands: list[Value]) -> list[Value]:
    """A comparison's operands with each Python float beside a loaded row (a literal one of the
    half dtypes rounds, or a float argument) as torch compares it: in the row's dtype
    (`x_f16 == 0.3` holds for x = float16(0.3); float32 would compare 0.30005 with 0.3)."""
    rows = [
        v
        for v in operands
        if v.kind == BLOCK and v.dims and (v.storage is not None or v.rounds_to is not None)
    ]
    if rows:
        dtype = rows[0].storage if rows[0].storage is not None else rows[0].rounds_to
    else:  # a computed row (`x.abs() > 0.1`): its own dtype, float64's 0.1 beside float64
        computed = _float_rows(operands)
        if not computed or not any(_rounded_number(builder, v) for v in operands):
            return operands
        named = named_row(builder, computed[0], "compared", None)
        operands = [named if v is computed[0] else v for v in operands]
        dtype = expr("v.dtype", v=named.code)
    rounded = []
    for value in operands:
        if _rounded_number(builder, value):
            builder.use_helper("number_as")
            value = block(expr("number_as(v, d)", v=value.code, d=dtype), (), "float")
        rounded.append(value)
    return rounded


def _rounded_number(builder, value: Value) -> bool:
    if value.kind == CONST:
        number = value.const
        return (
            isinstance(number, float)
            and math.isfinite(number)
            and any(float(torch.tensor(number).to(d)) != number for d in _ROUNDING)
        )
    return float_argument(builder, value) is not None


def _float_rows(operands: list[Value]) -> list[Value]:
    """Operands that are rows of floats, or of a dtype known only at the launch (a load)."""
    return [v for v in operands if v.kind == BLOCK and v.dims and v.dtype in (None, "float")]


# Triton types a Python float met by tl.maximum / tl.minimum or a comparison as float32 (0.1
# is 0.10000000149 then), whatever the tensor beside it; torch takes it in the tensor's dtype
_ROUNDED_BY_TRITON = re.compile(r"tl\.(maximum|minimum)\(|[<>]=?|[=!]=")


def exact_numbers(
    builder, template: str, operands: list[Value], scalars: dict, *, node=None, wanted="operand"
) -> tuple:
    """An op's operands and scalar parameters with each Python float that float32 does not hold
    exactly spelt in the dtype of the op's first float row (`number_as(0.1, x_tile.dtype)`),
    where the op's template clamps or compares (`torch.clamp(x, max=0.1)` of a float64 x). A
    row that is more than a name is bound to one first (`wanted`, at `node`'s line): its dtype
    and its value would otherwise spell the whole expression twice."""
    rows = _float_rows(operands)
    if not rows or not _ROUNDED_BY_TRITON.search(template):
        return operands, scalars
    row = rows[0]
    named: list[Value] = []  # the row, once bound

    def exact(code: ast.expr) -> ast.expr:
        if not (isinstance(code, ast.Constant) and type(code.value) is float):
            return code
        number = code.value
        if not math.isfinite(number) or float(torch.tensor(number, dtype=torch.float32)) == number:
            return code
        if not named:
            named.append(named_row(builder, row, wanted, node))
        builder.use_helper("number_as")
        return expr("number_as(v, d)", v=code, d=expr("v.dtype", v=named[0].code))

    exact_operands = [
        v.with_code(exact(v.code)) if v.kind == CONST and v.code is not None else v
        for v in operands
    ]
    exact_scalars = {name: exact(code) for name, code in scalars.items()}
    if named:
        exact_operands = [named[0] if v is row else v for v in exact_operands]
    return exact_operands, exact_scalars


def named_row(builder, row: Value, wanted: str, node) -> Value:
    """`row`, or, where its code is more than a name or an attribute, a new line binding it to
    a fresh name (`unclamped = max_nan(...)`) and the row read through that name."""
    if isinstance(row.code, (ast.Name, ast.Attribute)):
        return row
    name = builder.names.fresh(wanted)
    line = builder.source.line_of(node) if node is not None else builder.lines[-1].source_line
    builder.emit(f"{name} = {render(row.code)}", line)
    return row.with_code(ast.Name(id=name))
