"""A program's index read by one line only is written in that line:
`offs_m = tl.program_id(0).to(INDEX_DTYPE) * BLOCK_M + tl.arange(0, BLOCK_M)`."""

from __future__ import annotations

import re

import libcst as cst
import libcst.matchers as m

from ..lines import Line
from .pointers import WIDTH, single_use
from .statement import parse, render

_PROGRAM_ID = m.Call(func=m.Attribute(value=m.Name("tl"), attr=m.Name("program_id")))
_INDEX = m.Assign(
    targets=[m.AssignTarget(target=m.Name())],
    value=_PROGRAM_ID | m.Call(func=m.Attribute(value=_PROGRAM_ID, attr=m.Name("to"))),
)


class _Inline(cst.CSTTransformer):
    """Each read of `name` (not an attribute's or a keyword's name) as `value`: a call, which
    binds tighter than any operator, so no parentheses are needed around it."""

    def __init__(self, name: str, value: cst.BaseExpression) -> None:
        self.name, self.value = name, value

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False  # its object is rewritten on leaving: `a.pid` reads no `pid`

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.Attribute:
        return updated.with_changes(value=original.value.visit(self))

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        return updated.with_changes(keyword=original.keyword)  # `f(pid=...)` names a parameter

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.value if updated.value == self.name else updated


def inline_program_ids(lines: list[Line]) -> list[Line]:
    """`pid_m = tl.program_id(0).to(INDEX_DTYPE)` then `offs_m = pid_m * BLOCK_M + ...`: the
    program's index written where it is read, when one line reads it and stays within the
    width (a grid of several axes reads its `pid` twice: that one keeps its name)."""
    out = list(lines)
    index = 0
    while index < len(out):
        node = parse(out[index].text) if "tl.program_id(" in out[index].text else None
        if m.matches(node, _INDEX):
            name = node.targets[0].target.value
            use = single_use(out, index, name, set())
            used = parse(out[use].text) if use is not None else None
            if used is not None:
                text = render(used.visit(_Inline(name, node.value)))
                whole = 4 * out[use].depth + len(text) <= WIDTH
                if whole and not re.search(rf"\b{name}\b", text):
                    out[use] = Line(out[use].depth, text, out[use].source_line)
                    del out[index]
                    continue
        index += 1
    return out
