"""Operators torch takes only on integers and bools (`&`, `|`, `^`, `~`, shifts), and the one it
refuses them (a negative power): a dtype known while transpiling is an error at the line, a
loaded tensor's a TypeError at the launch."""

from __future__ import annotations

import libcst as cst

from ..frontend.errors import UnsupportedDtypeError
from ..ops.table import INTEGER_OPERATORS
from .argument_checks import integers_check
from .values import BLOCK, Value


def integers_only(builder, operator: str, symbol: str, operands: list[Value], node: cst.CSTNode):
    """Refuse floats as operands of `operator` ("LeftShift", ...), spelt `symbol` in messages:
    Triton refused them inside its compiler (an InterpreterError), torch at the call."""
    if operator not in INTEGER_OPERATORS:
        return
    if any(v.dtype == "float" for v in operands):
        raise builder.source.error(
            UnsupportedDtypeError,
            node,
            f"`{symbol}` of a float: torch takes only integers and bools there",
            hint="convert first: x.to(torch.int32)",
        )
    line = builder.source.line_of(node)
    why = f"line {line} applies {symbol} to its values"
    for operand in operands:
        if operand.dtype is None:  # loaded as stored: the launcher knows the dtype
            builder.argument_checks += [integers_check(t, why) for t in sorted(operand.loaded_from)]


def no_negative_integer_power(builder, operator: str, operands: list[Value], node: cst.CSTNode):
    """`x ** -1`, `torch.pow(x, -2)` of integers or bools: torch refuses them (a reciprocal is
    no integer); where the base's dtype is the tensors', the launcher checks one holds floats."""
    if operator != "Power" or len(operands) != 2:
        return
    base, exponent = operands
    if base.kind != BLOCK or not (type(exponent.const) is int and exponent.const < 0):
        return
    if base.dtype in ("int", "bool"):
        raise builder.source.error(
            UnsupportedDtypeError,
            node,
            f"integers to the power {exponent.const}: torch refuses negative integer powers",
            hint="convert first: x.float() ** -1",
        )
    sources = sorted(base.loaded_from | base.fed_by) if base.dtype is None else []
    if sources:
        line = builder.source.line_of(node)
        test = " or ".join(f"{t}.is_floating_point()" for t in sources)
        message = (
            f"line {line} raises {', '.join(sources)} to the power {exponent.const}: torch "
            "refuses negative powers of integers; pass floats (.float())"
        )
        builder.argument_checks.append(f'require({test}, "{message}", TypeError)')
