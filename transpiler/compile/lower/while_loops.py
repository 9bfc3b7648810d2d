"""A `while` inside a device loop: a Triton `while` on one scalar condition, values carried."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import BlockDependentError, UnsupportedConstructError
from .values import CONST

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_COUNTER = "loop on a scalar the body changes: i = 0, then while i < n: ... i += 1"


class WhileLoops:
    """`lower_while(loop)`: Triton evaluates the condition again before each iteration, so it
    must be one expression of the carried names (no statement computed before the loop)."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower_while(self, loop: cst.While) -> None:
        if loop.orelse is not None:
            raise self.k.source.error(
                UnsupportedConstructError,
                loop.orelse,
                "while ... else inside a device loop",
                hint="write the else block's statements after the loop: with no break, it runs "
                "once the condition fails",
            )
        start, depth = len(self.k.lines), self.k.depth
        self.k.emit_comment(loop)
        anchor = self.k.lines[start]
        line = self.k.source.line_of(loop)
        before = dict(self.k.scope)
        self.k.emit(f"while {ast.unparse(self.condition(loop.test))}:", line)
        self.k.depth += 1
        self.k.open_loop()
        self.k.statements.lower_body(loop.body.body)
        self.k.carried.close(before, loop, anchor, depth)
        self.k.depth -= 1
        self.k.close_loop()
        self.k.inner_loops.close_loop_scope(before, loop)

    def condition(self, test: cst.BaseExpression) -> ast.expr:
        """The condition's code: one bool per program, computed by the expression alone."""
        emitted = len(self.k.lines)
        value = self.k.expressions.lower_expr(test)
        if len(self.k.lines) != emitted:  # a load or a reduction computed once, before the loop
            raise self.k.source.error(
                UnsupportedConstructError,
                test,
                "this while condition needs statements of its own (a load, a reduction), which "
                "would run once before the loop instead of before each iteration",
                hint="compute it into a name before the loop and again at the end of its body: "
                "go = ..., then while go: ... go = ...",
            )
        if value.kind == CONST:
            raise self.k.source.error(
                UnsupportedConstructError,
                test,
                f"a while condition known while transpiling ({value.const!r}): the loop would run "
                "never or forever (break is refused in device code)",
                hint=_COUNTER,
            )
        if value.rank:
            raise self.k.source.error(
                UnsupportedConstructError,
                test,
                "a while condition on a block of values: each lane would want its own count",
                hint=f"{_COUNTER}; choose per lane with torch.where(condition, a, b)",
            )
        if self.k.per_block.holds(value.code):
            raise self.k.source.error(
                BlockDependentError,
                test,
                "this while condition reduces over the lanes of a grid tile: the kernel would "
                "decide it per block, not over the whole range",
                hint=_COUNTER,
            )
        return value.code if value.dtype == "bool" else expr("c != 0", c=value.code)
