"""Lowering of `if` statements in a device loop: on a scalar, or decided while transpiling."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import (
    BlockDependentError,
    DtypeMismatchError,
    ShapeError,
    UnsupportedConstructError,
)
from .carried import kind_words, number_side
from .scalar_reach import variables_read
from .values import BLOCK, CONST, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder


def _in_both(after_if: dict, after_else: dict) -> list[str]:
    """The names both paths assign, in the if branch's order: a set's order changes with
    PYTHONHASHSEED, and the lines and checks made per name must not."""
    return [name for name in after_if if name in after_else]


def _in_either(after_if: dict, after_else: dict) -> list[str]:
    """The names either path assigns: the if branch's in its order, then the other's."""
    return [*after_if, *(name for name in after_else if name not in after_if)]


class Branches:
    """`if` on a scalar → a Triton `if`, names each branch assigns merged after it; an `if`
    known while transpiling lowers only its branch taken."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def lower_if(self, statement: cst.If) -> None:
        self.k.emit_comment(statement)
        line = self.k.source.line_of(statement)
        condition = self.k.expressions.arithmetic(
            self.k.expressions.lower_expr(statement.test), statement.test
        )
        if condition.kind == CONST:  # known while transpiling (`if labels is not None:`)
            self.static_if(statement, bool(condition.const))
            return
        if condition.rank:
            raise self.k.source.error(
                UnsupportedConstructError,
                statement.test,
                "an if on a block of values",
                hint="select element-wise with torch.where(condition, a, b)",
            )
        if self.k.per_block.holds(condition.code):
            raise self.k.source.error(
                BlockDependentError,
                statement.test,
                "this condition reduces over the lanes of a grid tile: the kernel would decide "
                "it per block (a partial sum of block-size elements), not over the whole range",
                hint="reduce in a loop of its own first (store the total, then branch on it in a "
                "second device loop), or choose per element with torch.where(condition, a, b)",
            )
        before, constexprs = dict(self.k.scope), dict(self.k.constexpr_names)
        self.k.guards.append(variables_read(condition.code))
        try:
            self.lower_guarded(statement, condition, (before, constexprs), line)
        finally:
            self.k.guards.pop()

    def lower_guarded(self, statement: cst.If, condition: Value, saved: tuple, line: int) -> None:
        """The branches of a runtime `if` (saved: the scope and constexpr names before it)."""
        before, constexprs = saved
        self.k.emit(f"if {ast.unparse(condition.code)}:", line)
        opening = self.k.lines[-1]
        self.k.depth += 1
        self.lower_branch(lambda: self.k.statements.lower_body(statement.body.body), line)
        ends = [self.k.lines[-1]]  # each branch's last line (lines may be added above later)
        self.k.depth -= 1
        after_if, after_else = self.k.scope, before
        orelse = statement.orelse
        if orelse is not None:
            self.k.scope = dict(before)  # the else branch sees what the if branch did not do
            self.k.emit("else:", line)
            self.k.depth += 1
            if isinstance(orelse, cst.If):
                self.lower_branch(lambda: self.lower_if(orelse), line)
            else:
                self.lower_branch(lambda: self.k.statements.lower_body(orelse.body.body), line)
            ends.append(self.k.lines[-1])
            self.k.depth -= 1
            after_else = self.k.scope
        self.k.scope = {  # what a branch assigned (the else branch's, where both did)
            name: after_else[name]
            if after_else.get(name) is not value
            else after_if.get(name, value)
            for name, value in before.items()
        }
        for name, value in after_if.items():  # a name both branches assign lives on after
            other = after_else.get(name)
            if name not in before and other is not None and self.same_branch_value(value, other):
                self.k.scope[name] = other
        self.numbers_as_blocks(before, after_if, after_else, [opening, *ends], line)
        self.refuse_dtypes_apart(before, after_if, after_else, line)
        for name in _in_both(after_if, after_else):
            first, second = after_if[name], after_else[name]
            if first is second or first.kind != BLOCK or second.kind != BLOCK:
                continue
            if len(first.dims) != len(second.dims) or not self.k.inner_loops.dims_match(
                first.dims, second.dims
            ):
                self.k.scope.pop(name, None)  # a use after the if is a ShapeError there
                self.k.branch_conflicts[name] = (
                    ShapeError,
                    f"{name!r} has a different shape after each branch of the if on line {line} "
                    f"({_shape(first)} in one, {_shape(second)} in the other)",
                    f"give {name!r} the same shape in both branches (index with the same tiles "
                    "and ':'), or use two names",
                )
        # a name a branch made block-size arithmetic holds it only on that branch
        self.k.constexpr_names = {
            k: v for k, v in self.k.constexpr_names.items() if constexprs.get(k) is v
        }

    def numbers_as_blocks(
        self, before: dict, after_if: dict, after_else: dict, lines: list, line: int
    ) -> None:
        """A name a Python number on one path of the `if` and a block of a tensor's values on
        the other (`s = 1.5` / `s = x[tm, 0]`): the number becomes that block at its branch's
        end (carried.number_as_block), so the name is one block after the `if`. A number set
        before the `if` that a path leaves as it is (`s = 0.0; if k > 0: s = x[tm, :].sum(-1)`)
        becomes the block before the `if` (Triton keeps a name's type through an `if`), and so
        does one both paths overwrite (`s = 0.0; if c: s = x[tm, 0] else: s = x[tm, 1]`).
        `lines`: the `if` line, then each branch's last line."""
        inserts = []
        for name in _in_both(after_if, after_else):
            first, second = after_if[name], after_else[name]
            branch = None if first is second else number_side(first, second)
            if branch is not None:
                block, number = (second, first) if branch == 0 else (first, second)
                text = self.k.carried.number_as_block(name, block, number, line)
                if number is before.get(name):  # before the `if`, at its depth
                    inserts.append((self.k.index_of(lines[0]), 0, text))
                else:  # at the end of the number's branch, inside it
                    inserts.append((self.k.index_of(lines[branch + 1]) + 1, 1, text))
                after_if[name] = after_else[name] = replace(block, code=ast.Name(id=name))
                self.k.scope[name] = after_else[name]
            overwritten = before.get(name)  # a number both paths replace by a block: Triton
            if overwritten is None or overwritten is first or overwritten is second:
                continue  # still wants the name's one type from before the `if` on
            if number_side(overwritten, self.k.scope[name]) == 0:
                text = self.k.carried.number_as_block(
                    name, self.k.scope[name], overwritten, line, checked=False
                )
                inserts.append((self.k.index_of(lines[0]), 0, text))
        for at, indent, text in sorted(inserts, key=lambda insert: -insert[0]):
            self.k.insert_lines(at, [self.k.make_line(self.k.depth + indent, text, line)])

    def refuse_dtypes_apart(self, before: dict, after_if: dict, after_else: dict, line: int):
        """A name the if leaves an int on one path and a float (or bool) on the other: Triton
        gives a name one type after an `if`, so a use after it is refused there (torch would
        carry each path's own dtype on)."""
        for name in _in_either(after_if, after_else):
            first = after_if.get(name, before.get(name))
            second = after_else.get(name, before.get(name))
            if first is None or second is None or first is second:
                continue
            kinds = (first.kind, second.kind)
            dtypes = (first.dtype, second.dtype)
            if set(kinds) - {BLOCK, CONST} or None in dtypes or dtypes[0] == dtypes[1]:
                continue
            self.k.scope.pop(name, None)  # a use after the if is a DtypeMismatchError there
            self.k.branch_conflicts[name] = (
                DtypeMismatchError,
                f"{name!r} is {kind_words(dtypes[0])} after the if branch on line {line} and "
                f"{kind_words(dtypes[1])} after the other path: the kernel gives a name one dtype "
                "after an if",
                _numbers_hint(name, first, second)
                or f"convert {name!r} to one dtype on both paths ({name} = ....to(torch.float32)), "
                "or use two names",
            )

    def same_branch_value(self, first: Value, second: Value) -> bool:
        """Whether a name two branches assign is one Triton variable after the `if`: a named
        block of the same axes and kind of number in both (`high = tile_q.end` / `= seq_len`)."""
        if first is second:
            return True
        return (
            first.kind == second.kind == BLOCK
            and isinstance(first.code, ast.Name)
            and isinstance(second.code, ast.Name)
            and first.code.id == second.code.id
            and (first.dtype == second.dtype or None in (first.dtype, second.dtype))
            and len(first.dims) == len(second.dims)
            and self.k.inner_loops.dims_match(first.dims, second.dims)
        )

    def lower_branch(self, lower, line: int) -> None:
        """A branch's statements; `pass` where none is left (an `if` decided while
        transpiling, an inlined identity) so the generated `if` keeps a body."""
        first = len(self.k.lines)
        lower()
        if all(added.text.lstrip().startswith("#") for added in self.k.lines[first:]):
            self.k.emit("pass", line)

    def static_if(self, statement: cst.If, taken: bool) -> None:
        """An `if` decided while transpiling: only its branch taken is lowered, no `if` left."""
        if taken:
            self.k.statements.lower_body(statement.body.body)
        elif isinstance(statement.orelse, cst.If):
            self.lower_if(statement.orelse)
        elif statement.orelse is not None:
            self.k.statements.lower_body(statement.orelse.body.body)


def _numbers_hint(name: str, first: Value, second: Value) -> str | None:
    """The fix where both paths leave `name` a Python number, an int on one (`c = 3` / `c =
    0.25`): write it as a float. torch's `x * 3` and `x * 3.0` agree for a float x; beside an
    int tensor the two paths' results would differ in dtype, which no one kernel variable holds."""
    if not all(_python_number(v) for v in (first, second)) or "int" not in (
        first.dtype,
        second.dtype,
    ):
        return None
    return (
        f"write {name!r} as a float on its int path too ({name} = 2.0, not {name} = 2): with "
        "float tensors torch computes the same; beside an int tensor each path would give its "
        "own dtype"
    )


def _python_number(value: Value) -> bool:
    """A Python number in device code: a constant or a scalar no tensor's values feed."""
    return (
        value.kind in (BLOCK, CONST)
        and not value.dims
        and not value.loaded_from
        and not value.fed_by
        and value.dtype in ("int", "float")
    )


def _shape(value: Value) -> str:
    """How an error names a value's dims: [tile_m, :] style."""
    labels = [
        "1" if axis is None else ":" if axis.key is not None else axis.label for axis in value.dims
    ]
    return "[" + ", ".join(labels) + "]"
