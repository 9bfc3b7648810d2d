"""Zeros kept negative in device code. A `-0.0` of the user's: Triton's front end makes every
literal equal to 0 its dtype's null value (`semantic.scalar_constant` tests `value == 0`), so a
literal -0.0 compiled, for the interpreter and sm_90 alike, as +0.0. And `-x`: Triton's unary
minus is `0 - x`, which makes -(+0.0) +0.0 (torch: -0.0)."""

from __future__ import annotations

import math

from ..emit.codegen import expr
from .values import CONST, Value


def signed_zeros(builder, operands: list[Value]) -> list[Value]:
    """The operands, each number -0.0 spelt `negative_zero()` (its bits, bitcast)."""
    return [_kept(builder, value) for value in operands]


def _kept(builder, value: Value) -> Value:
    number = value.const
    if value.kind != CONST or type(number) is not float or number != 0:
        return value
    if math.copysign(1.0, number) > 0:
        return value
    builder.use_helper("negative_zero")
    return value.with_code(expr("negative_zero()"))


def negation(builder, operand: Value) -> str:
    """The template of `-a` / `torch.neg(a)` as torch computes it: `a * -1` for floats (the
    sign flips for zeros too), Triton's `-a` for integers (`a * -1` is refused for unsigned
    ones), the `negate` helper choosing between them where the dtype is the launch's."""
    if operand.dtype == "float":
        return "a * -1"
    if operand.dtype in ("int", "bool"):
        return "-a"
    builder.use_helper("negate")
    return "negate(a)"
