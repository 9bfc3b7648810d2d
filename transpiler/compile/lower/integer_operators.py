"""Operators torch takes only on integers and bools (`&`, `|`, `^`, `~`, shifts): a float operand
known while transpiling is an error at the line, a loaded tensor a TypeError at the launch."""

from __future__ import annotations

import libcst as cst

from ..frontend.errors import UnsupportedDtypeError
from ..ops.table import INTEGER_OPERATORS
from .argument_checks import integers_check
from .values import Value


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
