"""Consecutive unpackings' rank checks as one: `check_tensors({"x": x}, ..., why="line 9 ...")`
before `m, k = x.size()` and the same for y before `k2, n = y.size()` → one call before both."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..lines import Line
from .flags import WIDTH


@dataclass(frozen=True)
class _Unpacking:
    """What an unpacking's check (launcher_checks.unpacking_checks) says: its tensor and rank."""

    tensor: str
    rank: int


def _unpacking(text: str) -> _Unpacking | None:
    """`check_tensors({"x": x}, ranks={"x": 2}, why="line 9 unpacks its sizes into 2 names")`
    read back; None for any other line."""
    if not text.startswith("check_tensors({"):
        return None
    try:
        call = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    keywords = {keyword.arg: keyword.value for keyword in call.keywords}
    if len(call.args) != 1 or set(keywords) != {"ranks", "why"}:
        return None
    tensors, ranks, why = call.args[0], keywords["ranks"], keywords["why"]
    if not (
        isinstance(tensors, ast.Dict)
        and isinstance(ranks, ast.Dict)
        and isinstance(why, ast.Constant)
        and str(why.value).startswith("line ")
        and len(tensors.keys) == len(ranks.keys) == 1
    ):
        return None
    name, value, rank = tensors.keys[0], tensors.values[0], ranks.values[0]
    if (
        not isinstance(name, ast.Constant)
        or not isinstance(value, ast.Name)
        or value.id != name.value
        or ast.unparse(ranks.keys[0]) != ast.unparse(name)
        or not isinstance(rank, ast.Constant)
    ):
        return None
    return _Unpacking(value.id, rank.value)


def _binds(text: str) -> set[str] | None:
    """The names a one-line statement binds (None: no statement of its own)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load)
    }


def _joined(unpackings: list[_Unpacking], lines: list[int]) -> str:
    named = ", ".join(f'"{u.tensor}": {u.tensor}' for u in unpackings)
    ranks = ", ".join(f'"{u.tensor}": {u.rank}' for u in unpackings)
    cited = ", ".join(map(str, lines[:-1])) + f" and {lines[-1]}"
    return f'check_tensors({{{named}}}, ranks={{{ranks}}}, why="lines {cited} unpack their sizes")'


def joined_unpacking_checks(lines: list[Line]) -> list[Line]:
    """A run of unpackings' checks, each followed by its one-line statement, none binding a
    later check's tensor, as one check before the first statement (each tensor's rank, the
    lines that unpack them cited) where it fits in 100 characters."""
    out: list[Line] = []
    index = 0
    while index < len(lines):
        first = lines[index]
        found = _unpacking(first.text)
        if found is None:
            out.append(first)
            index += 1
            continue
        run, statements, cited = [found], [], [first.source_line]
        index += 1
        while index + 1 < len(lines):
            statement, check = lines[index], lines[index + 1]
            bound = _binds(statement.text)  # None: a statement of several lines
            nxt = _unpacking(check.text)
            if (
                bound is None
                or statement.depth != first.depth
                or statement.source_line != cited[-1]
                or check.depth != first.depth
                or nxt is None
                or nxt.tensor in bound
                or any(u.tensor == nxt.tensor for u in run)
                or 4 * first.depth + len(_joined([*run, nxt], [*cited, check.source_line])) > WIDTH
            ):
                break
            run.append(nxt)
            statements.append(statement)
            cited.append(check.source_line)
            index += 2
        if len(run) == 1:
            out.append(first)
            continue
        out.append(Line(first.depth, _joined(run, cited), first.source_line))
        out.extend(statements)
    return out
