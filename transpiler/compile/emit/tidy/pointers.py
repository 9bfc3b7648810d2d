"""A pointer block read or written once, on a line with room for it, is written in the access."""

from __future__ import annotations

import re

import libcst as cst
import libcst.matchers as m

from ..lines import Line
from ..wrap import WIDTH
from .masks import assigned
from .statement import parse, render

_POINTERS = m.Assign(targets=[m.AssignTarget(target=m.Name())])
_NAME = re.compile(r"\w+_ptrs(_\d+)?")  # lowering's names for pointer blocks


class _Inline(cst.CSTTransformer):
    def __init__(self, name: str, value: cst.BaseExpression) -> None:
        self.name, self.value = name, value

    def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
        if m.matches(updated.value, m.Name(self.name)):  # an argument: no precedence to mind
            return updated.with_changes(value=self.value)
        return updated


def single_use(lines: list[Line], at: int, name: str, reads: set[str]) -> int | None:
    """The one later line of the block reading `name` if nothing between them rebinds what its
    value reads (and no other line reads it); else None."""
    pattern = re.compile(rf"\b{name}\b")
    found = None
    for index in range(at + 1, len(lines)):
        line = lines[index]
        if line.text and line.depth < lines[at].depth:
            break
        count = len(pattern.findall(line.text))
        if count and (found is not None or count > 1 or line.depth != lines[at].depth):
            return None
        if count:
            found = index
        elif found is None and "=" in line.text and assigned(parse(line.text)) & (reads | {name}):
            return None
    return found


def inline_pointers(lines: list[Line]) -> list[Line]:
    """`x_ptrs = x_ptr + offsets * x_stride_0` then `tl.load(x_ptrs, ...)`: the sum written in
    the load, as Triton's tutorials write it, when the line stays within the width."""
    out = list(lines)
    index = 0
    while index < len(out):
        line = out[index]
        node = parse(line.text) if "_ptrs" in line.text else None
        if m.matches(node, _POINTERS) and _NAME.fullmatch(node.targets[0].target.value):
            name = node.targets[0].target.value
            reads = {n.value for n in m.findall(node.value, m.Name())}
            use = single_use(out, index, name, reads)
            used = parse(out[use].text) if use is not None else None
            if used is not None:
                text = render(used.visit(_Inline(name, node.value)))
                inlined = not re.search(rf"\b{name}\b", text)
                if inlined and 4 * out[use].depth + len(text) <= WIDTH:
                    out[use] = Line(out[use].depth, text, out[use].source_line)
                    del out[index]
                    continue
        index += 1
    return out
