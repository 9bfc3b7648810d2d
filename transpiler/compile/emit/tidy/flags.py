"""The launch's constexprs set together: consecutive `EVEN_M = test` launcher lines, and
`BLOCK_M = 64` ones of literal sizes, each run as one assignment."""

from __future__ import annotations

import re

from ..lines import Line
from ..wrap import WIDTH

# `EVEN_M = m % BLOCK_M == 0  # whole tiles: no masks`: the flag, its test, its comment
_FLAG = re.compile(r"(?P<name>EVEN_\w+) = (?P<test>[^#]+?)(?P<comment>  #.*)?")
# `BLOCK_M = 64`: a block size set to a number (one computed from others stays on its own line)
_BLOCK = re.compile(r"(?P<name>BLOCK_\w+) = (?P<test>\d+)(?P<comment>  #.*)?")


def _joined(group: list[Line], pattern: re.Pattern[str]) -> str:
    found = [pattern.fullmatch(line.text) for line in group]
    names = ", ".join(f["name"] for f in found)
    tests = ", ".join(f["test"] for f in found)
    return f"{names} = {tests}{found[0]['comment'] or ''}"


def _fits(group: list[Line], pattern: re.Pattern[str]) -> bool:
    return len(group) == 1 or 4 * group[0].depth + len(_joined(group, pattern)) <= WIDTH


def _same_run(first: Line, line: Line, names: set[str], pattern: re.Pattern[str]) -> bool:
    """`line` joins the run that `first` opens: a flag at the same depth, citing the same source
    line, with the same comment, its test reading none of the run's flags."""
    found, opening = pattern.fullmatch(line.text), pattern.fullmatch(first.text)
    return (
        found is not None
        and line.depth == first.depth
        and line.source_line == first.source_line
        and found["comment"] == opening["comment"]
        and not any(re.search(rf"\b{name}\b", found["test"]) for name in names)
    )


def _joined_runs(lines: list[Line], pattern: re.Pattern[str]) -> list[Line]:
    """Each run of consecutive lines `pattern` matches (`_same_run`) as one assignment, as many
    per line as fit in 100 characters, in their order."""
    out: list[Line] = []
    index = 0
    while index < len(lines):
        first = lines[index]
        if pattern.fullmatch(first.text) is None:
            out.append(first)
            index += 1
            continue
        group, names = [first], {pattern.fullmatch(first.text)["name"]}
        index += 1
        while index < len(lines) and _same_run(first, lines[index], names, pattern):
            if not _fits([*group, lines[index]], pattern):
                out.append(Line(first.depth, _joined(group, pattern), first.source_line))
                group, names, first = [], set(), lines[index]
            group.append(lines[index])
            names.add(pattern.fullmatch(lines[index].text)["name"])
            index += 1
        out.append(Line(first.depth, _joined(group, pattern), first.source_line))
    return out


def joined_flags(lines: list[Line]) -> list[Line]:
    """`EVEN_M = a` then `EVEN_N = b` (one comment, neither test reading the other flag) →
    `EVEN_M, EVEN_N = a, b`: as many per line as fit in 100 characters, in their order."""
    return _joined_runs(lines, _FLAG)


def joined_blocks(lines: list[Line]) -> list[Line]:
    """`BLOCK_M = 64` then `BLOCK_N = 32` → `BLOCK_M, BLOCK_N = 64, 32` (literal sizes only)."""
    return _joined_runs(lines, _BLOCK)
