"""`range` and hl.static_range loops inside a device loop: integer bounds, checked."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.aliases import LANGUAGE
from ..frontend.errors import BlockDependentError, TileArgumentError, UnsupportedConstructError
from ..frontend.signatures import HL_SIGNATURES, bind
from ..ops.hl import UNROLLED_LOOPS
from .argument_checks import integers_check
from .values import Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# the rows of an unrolled loop (hl.static_range)
_UNROLLED = tuple(f"{LANGUAGE}.{name}" for name in UNROLLED_LOOPS)


class RangeLoops:
    """`for i in range(...)` / hl.static_range inside a program."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def plain_range_loop(self, loop: cst.For, line: int) -> None:
        call = loop.iter
        qualified = self.k.aliases.qualified(call.func) if isinstance(call, cst.Call) else None
        is_range = (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "range"
        )
        if not (is_range or qualified in _UNROLLED) or not isinstance(loop.target, cst.Name):
            raise self.k.source.error(
                UnsupportedConstructError,
                loop.iter,
                "this for loop inside a device loop",
                hint="inside a device loop, loop with hl.tile, hl.grid, range or hl.static_range"
                " (backwards: range(n - 1, -1, -1))",
            )
        bounds = [
            self.range_bound(self.k.expressions.lower_expr(node), node).code
            for node in self.range_bounds(call, is_range)
        ]
        function = "range" if is_range else "tl.static_range"
        target = loop.target.value
        self.k.emit(
            f"for {target} in {function}({', '.join(ast.unparse(b) for b in bounds)}):", line
        )
        self.k.depth += 1
        self.k.scope[target] = block(ast.Name(id=target), (), "int")

    def range_bound(self, value: Value, node: cst.BaseExpression) -> Value:
        """One bound of an inner range: a single integer, never a block or a float (Python's
        range refuses floats; a block's lanes would each want their own count)."""
        value = self.k.expressions.arithmetic(value, node)
        if value.dims or value.dtype == "float":
            what = "a block of values" if value.dims else "a float"
            raise self.k.source.error(
                TileArgumentError,
                node,
                f"a range() bound must be one integer, not {what}",
                hint="count with an integer known to every lane: a host size (range(n)), a "
                "constant, or int(...) of a reduced value; per-lane choices take "
                "torch.where(condition, a, b)",
            )
        if self.k.per_block.holds(value.code):
            raise self.k.source.error(
                BlockDependentError,
                node,
                "this range() bound reduces over the lanes of a grid tile: each block would "
                "count its own partial total, not one over the whole range",
                hint="reduce in a device loop of its own first and store the total, then read "
                "it in a second loop; or count with a host size (range(n))",
            )
        line = self.k.source.line_of(node)
        for tensor in sorted(value.loaded_from):  # its dtype is the call's: checked there
            self.k.argument_checks.append(
                integers_check(tensor, f"line {line} counts a range() with its values")
            )
        return value

    def range_bounds(self, call: cst.Call, is_range: bool) -> list[cst.BaseExpression]:
        """range's arguments, or hl.static_range's bound against its signature (a misspelt
        keyword is an error at its column, never a bound): begin, end and step, in order."""
        if is_range:
            for argument in call.args:
                if argument.keyword is not None or argument.star:
                    raise self.k.source.error(
                        UnsupportedConstructError,
                        argument,
                        "range() takes its bounds by position",
                        hint="write range(begin, end, step)",
                    )
            return [a.value for a in call.args]
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        keywords = [a for a in call.args if a.keyword is not None]
        bound = bind(
            HL_SIGNATURES["static_range"],
            positional,
            keywords,
            call,
            self.k.source.error,
            owner="hl.static_range",
            arity_error=TileArgumentError,
        )
        begin, end = bound["begin_or_end"], bound.get("end_or_none")
        if end is None and "step" not in bound:
            return [begin]
        bounds = [cst.Integer("0"), begin] if end is None else [begin, end]
        return bounds + ([bound["step"]] if "step" in bound else [])
