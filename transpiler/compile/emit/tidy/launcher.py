"""Launcher lines a person would not write: `d = d`, and `lambda: "text"` where "text" will do."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..lines import Line
from .statement import parse, rewrite_lines

_SELF = m.Assign(targets=[m.AssignTarget(target=m.Name())], value=m.Name())
_REQUIRE = m.Call(func=m.Name("require"))
_CONSTANT_MESSAGE = m.Lambda(params=m.Parameters(params=[]), body=m.SimpleString())


def _assigns_itself(text: str) -> bool:
    node = parse(text) if "=" in text else None
    return m.matches(node, _SELF) and node.targets[0].target.value == node.value.value


def self_assignments(lines: list[Line]) -> list[Line]:
    """`chunk = chunk` (a name the source rebinds to itself) does nothing: dropped."""
    return [line for line in lines if not _assigns_itself(line.text)]


class _PlainMessages(cst.CSTTransformer):
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not m.matches(updated, _REQUIRE) or len(updated.args) < 2:
            return updated
        message = updated.args[1]
        if message.keyword is None and m.matches(message.value, _CONSTANT_MESSAGE):
            args = list(updated.args)
            args[1] = message.with_changes(value=message.value.body)
            return updated.with_changes(args=args)
        return updated


def plain_messages(lines: list[Line]) -> list[Line]:
    """`require(c, lambda: "text")` → `require(c, "text")`: require calls what is callable."""
    return rewrite_lines(
        lines, lambda text: "require(" in text and "lambda" in text, _PlainMessages
    )
