"""A tensor read by several loops of one program (chunk loops of a row, the user's own loops):
the first reads keep it in L2 for the later ones (`eviction_policy="evict_last"`), the last
read lets it go (`"evict_first"`)."""

from __future__ import annotations

import ast
import re

from ..emit.codegen import render
from ..emit.lines import Line

_LOOP = re.compile(r"for \w+ in (tl\.)?range\(")
# the comment on a chunk loop's second half (reduction_loops.py): the partial last chunk of the
# loop before it, one read of the row with it
TAIL_COMMENT = "# the partial last chunk, if any"


def with_evictions(params: dict, lines: list[Line]) -> list[Line]:
    """`lines` with the loads of each tensor that two or more loops (depth 1: `for start in
    tl.range(...)` of looped rows, `for begin in range(...)` of inner tiles) read given
    eviction policies: evict_last in every loop but the last that reads it, evict_first there.
    `params`: the kernel's parameters (tensors are those of kind "tensor"). Loads that name a
    policy already (`hl.load(..., eviction_policy=...)`) keep it."""
    loops = _chunk_loops(lines)
    if len(loops) < 2:
        return lines
    tensors = {name for name, param in params.items() if param.kind == "tensor"}
    reads = [_loaded(lines, start, end, tensors) for start, end in loops]
    out = list(lines)
    for number, loaded in enumerate(reads):
        later = set().union(*(t for r in reads[number + 1 :] for t in r.values()))
        earlier = set().union(*(t for r in reads[:number] for t in r.values()))
        for position, tensor_names in loaded.items():
            if tensor_names & later:
                policy = "evict_last"
            elif tensor_names & earlier:
                policy = "evict_first"
            else:
                continue
            line = out[position]
            out[position] = Line(line.depth, _with_policy(line.text, policy), line.source_line)
    return out


def _chunk_loops(lines: list[Line]) -> list[tuple[int, int]]:
    """(header index, end index) of each `for ... in range(...)` / `tl.range(...)` at depth 1
    (a chunk loop's full chunks and its partial last chunk together)."""
    loops, index = [], 0
    while index < len(lines):
        if lines[index].depth == 1 and _LOOP.match(lines[index].text.strip()):
            end = index + 1
            while end < len(lines) and lines[end].depth > 1:
                end += 1
            if TAIL_COMMENT in lines[index].text and loops and loops[-1][1] == index:
                loops[-1] = (loops[-1][0], end)  # the full chunks' loop, and its tail
            else:
                loops.append((index, end))
            index = end
        else:
            index += 1
    return loops


def _loaded(lines: list[Line], start: int, end: int, tensors: set[str]) -> dict[int, set[str]]:
    """Per line of the loop lines[start:end] that loads (its index in `lines`), the tensors
    whose pointers it reads, through the names the loop assigns before it."""
    assigned: dict[str, set[str]] = {}
    found: dict[int, set[str]] = {}
    for index in range(start + 1, end):
        try:
            body = ast.parse(lines[index].text.strip()).body
        except SyntaxError:
            continue
        if not body:  # a comment
            continue
        statement = body[0]
        reached = set()
        for name in _reads(statement):
            reached |= {name} | assigned.get(name, set())
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            if isinstance(statement.targets[0], ast.Name):
                assigned[statement.targets[0].id] = reached
        if "tl.load(" in lines[index].text and reached & tensors:
            found[index] = reached & tensors
    return found


def _reads(statement: ast.stmt) -> set[str]:
    return {
        node.id
        for node in ast.walk(statement)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def _with_policy(text: str, policy: str) -> str:
    """The statement with every tl.load that names no eviction policy given `policy`."""
    indent = text[: len(text) - len(text.lstrip())]
    tree = ast.parse(text.strip())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and render(node.func) == "tl.load"
            and not any(k.arg == "eviction_policy" for k in node.keywords)
        ):
            node.keywords.append(ast.keyword(arg="eviction_policy", value=ast.Constant(policy)))
    return indent + render(tree.body[0])
