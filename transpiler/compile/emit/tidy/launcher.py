"""Launcher lines a person would not write: `d = d` (a name the source rebinds to itself)."""

from __future__ import annotations

import libcst.matchers as m

from ..lines import Line
from .statement import parse

_SELF = m.Assign(targets=[m.AssignTarget(target=m.Name())], value=m.Name())


def _assigns_itself(text: str) -> bool:
    node = parse(text) if "=" in text else None
    return m.matches(node, _SELF) and node.targets[0].target.value == node.value.value


def self_assignments(lines: list[Line]) -> list[Line]:
    """`chunk = chunk` (a name the source rebinds to itself) does nothing: dropped."""
    return [line for line in lines if not _assigns_itself(line.text)]
