"""torch.div(a, b, rounding_mode=...) of blocks: 'floor' as `//`, 'trunc' rounded towards zero,
None as true division (ops/table_math.ROUNDED_DIVISIONS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import ArgumentUnknownError, UnsupportedConstructError
from ..ops.table_math import ROUNDED_DIVISIONS
from .argument_values import kernel_argument
from .arguments import Arguments
from .elementwise import elementwise
from .values import CONST, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder


def rounded_division(builder: KernelBuilder, value: Value, args: Arguments, node: cst.Call):
    """The division's Value for a rounding mode; `args` without `rounding_mode=` for None
    (true division goes on as `div`)."""
    mode_node = args.keywords["rounding_mode"]
    mode = builder.expressions.lower_expr(mode_node)
    if mode.kind != CONST and kernel_argument(builder, mode_node):  # rounding_mode=mode
        raise builder.source.error(
            ArgumentUnknownError,
            mode_node,
            f"rounding_mode={builder.source.code(mode_node)} of torch.div() needs the "
            "argument's value, known only when the kernel is called",
        )
    if mode.kind == CONST and mode.const is None:
        return args.without("rounding_mode")
    op = ROUNDED_DIVISIONS.get(mode.const) if mode.kind == CONST else None
    other_node = args.get(0, "other")
    if op is None or other_node is None:
        argument = next(a for a in args.keyword_args if a.keyword.value == "rounding_mode")
        raise builder.source.error(
            UnsupportedConstructError,
            argument if op is None else node,  # `rounding_mode=...`, as other arguments' refusals
            f"torch.div(..., rounding_mode={builder.source.code(mode_node)})"
            if op is None
            else "torch.div() needs the divisor",
            hint="rounding_mode='floor' (x // y), 'trunc' (towards zero) or None (x / y)",
        )
    other = builder.expressions.arithmetic(builder.expressions.lower_expr(other_node), other_node)
    return elementwise(builder, op, [value, other], node)
