"""A reduction deep inside a line too long gets a line of its own: `rstd_sum = tl.sum(...)`, then
`rstd = tl.rsqrt(rstd_sum / h + 0.001)`, as a person writes one idea per line."""

from __future__ import annotations

import re

import libcst as cst
import libcst.matchers as m

from ..lines import Line
from ..wrap import WIDTH
from .masks import assigned
from .statement import STORE, fresh_name, parse, render

INDENT = 4

# a whole-row reduction's call → the word its named line ends in
KINDS = {
    "tl.sum": "sum",
    "tl.max": "max",
    "tl.min": "min",
    "max_nan": "max",
    "min_nan": "min",
    "tl.cumsum": "cumsum",
    "tl.cumprod": "cumprod",
}
# what a reduction is not taken out of: a branch runs only where its test holds (a constexpr
# test may leave the other branch uncompilable), and `and` / `or` may skip their right side
_GUARDED = (cst.IfExp, cst.BooleanOperation, cst.Lambda)


def _kind(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Call):
        return KINDS.get(render(node.func))
    return None


class _Outermost(cst.CSTVisitor):
    """The reductions inside a statement's value that no other reduction holds, and that no
    branch or short-circuit guards."""

    def __init__(self, value: cst.CSTNode) -> None:
        self.value = value
        self.found: list[cst.Call] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _GUARDED):
            return False
        if _kind(node) is not None and node is not self.value:
            self.found.append(node)
            return False
        return True


def _value(statement: cst.BaseSmallStatement) -> cst.CSTNode | None:
    """The expression a statement computes: an assignment's value, a store's value argument."""
    if isinstance(statement, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
        return statement.value
    if m.matches(statement, m.Expr(STORE)):
        args = statement.value.args
        return args[1].value if len(args) > 1 else None
    return None


def _base(statement: cst.BaseSmallStatement) -> str:
    """The name a hoisted reduction's name starts with: the assigned name, or the stored
    tensor's (`tl.store(out_ptrs, ...)` → out)."""
    names = sorted(assigned(statement))
    if names:
        return names[0]
    pointer = render(statement.value.args[0].value)
    found = re.match(r"(\w+?)_ptrs?\b", pointer)
    return found.group(1) if found else "value"


class _Replace(cst.CSTTransformer):
    def __init__(self, target: cst.Call, name: str) -> None:
        self.target, self.name = target, name

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):
        return cst.Name(self.name) if original is self.target else updated


def name_nested_reductions(lines: list[Line]) -> list[Line]:
    """Each kernel line wider than WIDTH: its outermost nested reductions, widest first, each
    on a line of its own before it (split so in turn), until it fits or none is left."""
    if not any(INDENT * line.depth + len(line.text) > WIDTH for line in lines):
        return lines
    taken = set(re.findall(r"\w+", "\n".join(line.text for line in lines)))
    out: list[Line] = []
    for line in lines:
        out.extend(_split(line, taken, None))
    return out


def _split(line: Line, taken: set[str], base: str | None) -> list[Line]:
    """`line` with the lines its nested reductions take before it; `base`: the name the
    statement that the line was taken from starts its names with."""
    before: list[Line] = []
    while INDENT * line.depth + len(line.text) > WIDTH:
        statement = parse(line.text)
        value = _value(statement) if statement is not None else None
        if value is None:
            break
        visitor = _Outermost(value)
        value.visit(visitor)
        if not visitor.found:
            break
        widest = max(visitor.found, key=lambda call: len(render(call)))
        base = base or _base(statement)
        name = fresh_name(f"{base}_{_kind(widest)}", taken)
        taken_out = Line(line.depth, f"{name} = {render(widest)}", line.source_line)
        before.extend(_split(taken_out, taken, base))
        line = Line(line.depth, render(statement.visit(_Replace(widest, name))), line.source_line)
    return [*before, line]
