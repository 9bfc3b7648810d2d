"""One generated line as a libcst statement, and back: the tree the tidy steps rewrite."""

from __future__ import annotations

import functools
from collections.abc import Callable

import libcst as cst
import libcst.matchers as m

from ..lines import Line

_EMPTY = cst.Module([])
STORE = m.Call(func=m.Attribute(value=m.Name("tl"), attr=m.Name("store")))  # Triton's tl.store


@functools.lru_cache(maxsize=8192)  # libcst trees are immutable: a search's many modules
def parse(text: str) -> cst.BaseSmallStatement | None:  # repeat most of their lines
    """The simple statement a line holds, or None (a comment, a compound statement's header)."""
    try:
        statement = cst.parse_statement(text)
    except cst.ParserSyntaxError:
        return None
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def render(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def rewrite_lines(
    lines: list[Line], wanted: Callable[[str], bool], transformer: Callable[[], cst.CSTTransformer]
) -> list[Line]:
    """Each line that `wanted` picks (a cheap test of its text) rewritten by a fresh transformer;
    the others, and lines the transformer leaves alone, kept as they were."""
    out = []
    for line in lines:
        if wanted(line.text) and (node := parse(line.text)) is not None:
            changed = node.visit(transformer())
            if not changed.deep_equals(node):
                line = Line(line.depth, render(changed), line.source_line)
        out.append(line)
    return out


def fresh_name(base: str, taken: set[str]) -> str:
    """`base`, or `base_2`, `base_3`, ... : the first not in `taken`, which it joins (the tidy
    steps' names; lowering's are codegen.Names')."""
    name, count = base, 1
    while name in taken:
        count += 1
        name = f"{base}_{count}"
    taken.add(name)
    return name
