"""An op-table row lowered over its operands: promotion, checks, the template filled."""

from __future__ import annotations

import ast
import math
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import UnsupportedOpError
from ..ops.table import BITWISE_OPERATORS
from .bool_arithmetic import bool_template, floated_bools
from .index_values import index_values_as_int64, lanes_of
from .integer_operators import integers_only, no_negative_integer_power
from .integer_promotion import note_float_math, note_promotion
from .negative_zero import negation, signed_zeros
from .operators import result_dtype
from .promotion import compared_numbers, exact_numbers, result_of, with_dimensioned_dtype
from .python_ints import as_int64
from .scaled_products import exp_as_exp2
from .values import BLOCK, CONST, Value, block, check_squeezable, constant

if TYPE_CHECKING:
    from .kernel import KernelBuilder


def elementwise(
    builder: KernelBuilder,
    op,
    operands: list[Value],
    node: cst.CSTNode,
    scalars: dict | None = None,
) -> Value:
    """An op-table row over its tensor operands (a, b, c) and its scalar parameters'
    code by name; `dtype` in a template is the first operand's element type as stored."""
    wanted = arity(op.template)
    if len(operands) != wanted:
        raise builder.source.error(
            UnsupportedOpError,
            node,
            f"{op.name}() takes {wanted} tensor argument{'s' * (wanted != 1)}, got {len(operands)}",
            hint="see docs/ops.md for each op's arguments",
        )
    operands = [builder.expressions.arithmetic(v, node) for v in operands]
    if (
        op.name == "pow"
        and operands[0].kind == BLOCK
        and operands[0].dtype == "float"
        and operands[1].kind == CONST
        and operands[1].const in (2, 3, 4)
    ):  # `x.pow(2)` as `x * x`, as `x ** 2` and torch's own kernels: exact, no exp2 / log2
        return builder.operators.integer_power(operands[0], int(operands[1].const), node)
    if op.name == "pow" and (root := builder.operators.root_power(*operands)) is not None:
        return root
    sign = op.sign_of
    if sign is not None and operands[sign].kind == CONST:  # Triton reads -0.0 as 0.0
        operands[sign] = constant(math.copysign(1.0, operands[sign].const))
    # a condition (where's, masked_fill's mask) takes no part in promotion; nor is it, or
    # what it chooses between, computed with
    values = [i for i in range(len(operands)) if i != op.condition]
    promoted = [operands[i] for i in values]
    if op.result == "bool":  # a comparison: numbers as the row's dtype holds them
        promoted = compared_numbers(builder, promoted)
    promoted = with_dimensioned_dtype(builder, promoted)
    # torch's int64 for Python ints and bools alone (python_ints.py); a mask after the first
    # operand (x.masked_fill(mask, v)) leaves the dtype to that operand
    if op.result == "same" and op.condition in (None, 0):
        shaped = any(v.kind == BLOCK and v.dims for v in operands)  # (where's condition)
        promoted = as_int64(builder, promoted, shaped=shaped)
        promoted = index_values_as_int64(builder, op.operator, promoted)
    for index, value in zip(values, promoted, strict=True):
        operands[index] = value
    integers_only(builder, op.operator, f"torch.{op.name}", operands, node)
    no_negative_integer_power(builder, op.operator, operands, node)
    if op.condition is None and op.operator not in BITWISE_OPERATORS:
        builder.note_arithmetic(operands, node, op.operator)
    if op.result != "float":  # (float ops take floats in both)
        note_promotion(builder, [operands[i] for i in values], node)
    if op.float_args:
        if not op.takes_integers:  # (tl.exp and the like refuse integer tensors)
            note_float_math(builder, operands, node)
        for index, operand in enumerate(operands):
            if operand.dtype in ("int", "bool"):
                number = operand.code  # `x.pow(2)`: 2.0, not `2 .to(tl.float32)`
                converted = (
                    ast.Constant(float(number.value))
                    if isinstance(number, ast.Constant)
                    else expr("a.to(tl.float32)", a=number)
                )
                operands[index] = operand.with_code(converted, dtype="float")
    for helper in op.helpers:
        builder.use_helper(helper)
    for index, first in enumerate(operands):  # pairwise: a view's None is named (values.py)
        for second in operands[index + 1 :]:
            check_squeezable(first, second)
    dims = operands[0].dims
    for operand in operands[1:]:
        dims = builder.broadcasting.broadcast_dims(block(None, dims), operand, node)
    folded = exp_as_exp2(builder, operands[0]) if op.name == "exp" else None
    if folded is not None:  # exp of a scaled product: one exp2 (scaled_products.py)
        return block(folded, dims, "float")
    template = op.template
    if op.operator:
        template = bool_template(builder, op.operator, operands, node) or template
        operands = floated_bools(op.operator, operands)
    operands = signed_zeros(builder, operands)
    if op.operator == "Minus":  # torch.neg: -(+0.0) is -0.0
        template = negation(builder, operands[0])
    operands, scalars = exact_numbers(
        builder, template, operands, scalars or {}, node=node, wanted=f"{op.name}_operand"
    )
    fills = {**dict(zip("abc", (v.code for v in operands))), **scalars}
    fills["dtype"] = operands[0].storage or expr("tl.float32")
    dtype = {"float": "float", "bool": "bool"}.get(op.result, operands[0].dtype)
    if op.result == "same":  # torch promotes: a float operand makes the result float
        for operand in operands[1:]:
            dtype = result_dtype("Add", dtype, operand.dtype)
    result = result_of(block(expr(template, **fills), dims, dtype), operands)
    fed = frozenset().union(*(operands[i].loaded_from | operands[i].fed_by for i in values))
    result = replace(result, fed_by=fed)
    if op.operator:  # (`torch.mul(tile.index, 3)`: index lanes still)
        result = lanes_of(result, operands)
    if op.condition is not None:  # what it chooses between, unconverted
        dtypes = {operands[i].dtype for i in values}
        dtype = dtypes.pop() if len(dtypes) == 1 else None
        chosen = frozenset().union(*(operands[i].loaded_from for i in values))
        return replace(result, dtype=dtype, loaded_from=chosen)
    if op.operator in BITWISE_OPERATORS:  # bools stay bools: arithmetic may come later
        return replace(result, loaded_from=frozenset().union(*(v.loaded_from for v in operands)))
    return result


def arity(template: str) -> int:
    """How many operands an op-table template takes (its placeholders a, b, c)."""
    names = {n.id for n in ast.walk(ast.parse(template, mode="eval")) if isinstance(n, ast.Name)}
    return len(names & {"a", "b", "c"})
