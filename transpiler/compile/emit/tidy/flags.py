"""Whole-tile flags set together: consecutive `EVEN_M = test` launcher lines as one assignment."""

from __future__ import annotations

import re

from ..lines import Line

WIDTH = 100  # the longest line wanted, indent and comment included

# `EVEN_M = m % BLOCK_M == 0  # whole tiles: no masks needed`: the flag, its test, its comment
_FLAG = re.compile(r"(?P<name>EVEN_\w+) = (?P<test>[^#]+?)(?P<comment>  #.*)?")


def _flag(line: Line) -> re.Match[str] | None:
    return _FLAG.fullmatch(line.text)


def _joined(group: list[Line]) -> str:
    found = [_flag(line) for line in group]
    names = ", ".join(f["name"] for f in found)
    tests = ", ".join(f["test"] for f in found)
    return f"{names} = {tests}{found[0]['comment'] or ''}"


def _fits(group: list[Line]) -> bool:
    return len(group) == 1 or 4 * group[0].depth + len(_joined(group)) <= WIDTH


def _same_run(first: Line, line: Line, names: set[str]) -> bool:
    """`line` joins the run that `first` opens: a flag at the same depth, citing the same source
    line, with the same comment, its test reading none of the run's flags."""
    found, opening = _flag(line), _flag(first)
    return (
        found is not None
        and line.depth == first.depth
        and line.source_line == first.source_line
        and found["comment"] == opening["comment"]
        and not any(re.search(rf"\b{name}\b", found["test"]) for name in names)
    )


def joined_flags(lines: list[Line]) -> list[Line]:
    """`EVEN_M = a` then `EVEN_N = b` (one comment, neither test reading the other flag) →
    `EVEN_M, EVEN_N = a, b`: as many per line as fit in 100 characters, in their order."""
    out: list[Line] = []
    index = 0
    while index < len(lines):
        first = lines[index]
        if _flag(first) is None:
            out.append(first)
            index += 1
            continue
        group, names = [first], {_flag(first)["name"]}
        index += 1
        while index < len(lines) and _same_run(first, lines[index], names):
            if not _fits([*group, lines[index]]):
                out.append(Line(first.depth, _joined(group), first.source_line))
                group, names, first = [], set(), lines[index]
            group.append(lines[index])
            names.add(_flag(lines[index])["name"])
            index += 1
        out.append(Line(first.depth, _joined(group), first.source_line))
    return out
