"""Launcher lines a person would not write: `d = d` (a name the source rebinds to itself); a
comment line above the one line it explains (`BROADCAST`), where the two fit one line."""

from __future__ import annotations

import re

import libcst.matchers as m

from ..lines import Line
from .statement import parse

_SELF = m.Assign(targets=[m.AssignTarget(target=m.Name())], value=m.Name())

WIDTH = 100  # the longest line wanted, indent and comment included

# lowering's comment above a tensor's expansions where a dimension of 1 meets a size
BROADCAST = "# a dimension of 1 broadcasts, as in torch: its lanes all read it"
_BROADCAST_SHORT = "# size 1 broadcasts, as in torch"  # as a trailing comment
_EXPANSION = re.compile(r"(\w+) = \1\.expand\(.*\) if .* else \1")


def _assigns_itself(text: str) -> bool:
    node = parse(text) if "=" in text else None
    return m.matches(node, _SELF) and node.targets[0].target.value == node.value.value


def self_assignments(lines: list[Line]) -> list[Line]:
    """`chunk = chunk` (a name the source rebinds to itself) does nothing: dropped."""
    return [line for line in lines if not _assigns_itself(line.text)]


def _expansion(lines: list[Line], index: int, depth: int) -> bool:
    return (
        index < len(lines)
        and lines[index].depth == depth
        and _EXPANSION.fullmatch(lines[index].text) is not None
    )


def trailing_broadcast_comment(lines: list[Line]) -> list[Line]:
    """`BROADCAST` above one expansion (`w = w.expand(n) if w.size(0) == 1 else w`) as that
    line's trailing comment, where it fits in 100 characters; above several it stays."""
    out: list[Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if (
            line.text == BROADCAST
            and _expansion(lines, index + 1, line.depth)
            and not _expansion(lines, index + 2, line.depth)
        ):
            expansion = lines[index + 1]
            joined = f"{expansion.text}  {_BROADCAST_SHORT}"
            if 4 * line.depth + len(joined) <= WIDTH:
                out.append(Line(line.depth, joined, expansion.source_line))
                index += 2
                continue
        out.append(line)
        index += 1
    return out
