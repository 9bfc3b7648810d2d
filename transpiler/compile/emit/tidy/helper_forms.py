"""Launcher helpers in their shortest form: written for the keywords the module's calls pass
(`check_tensors`' bool check only where a call passes `arithmetic=`, its pairs' lines only where
one passes a `(line, *names)` pair)."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..tensor_checks import check_tensors_source


def _plain_lines(calls: list[ast.Call]) -> bool:
    """Whether every `arithmetic=` of these calls is a dict of int literals (no pairs)."""
    for call in calls:
        for keyword in call.keywords:
            if keyword.arg != "arithmetic":
                continue
            value = keyword.value
            if not isinstance(value, ast.Dict) or not all(
                isinstance(v, ast.Constant) and type(v.value) is int for v in value.values
            ):
                return False
    return True


def _check_tensors(passed: set[str], calls: list[ast.Call]) -> str:
    return check_tensors_source(passed, pairs=not _plain_lines(calls))


# helper → its source written for the keywords a module's calls pass, and those calls (the one
# text of its parts)
SHORT_FORMS: dict[str, Callable[[set[str], list[ast.Call]], str]] = {
    "check_tensors": _check_tensors
}


def _calls(code: str, helper: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == helper
    ]


def _keywords(calls: list[ast.Call]) -> set[str] | None:
    """The keywords these calls pass; None where a call passes more than its first argument by
    position, or splats one (its keywords are unknown)."""
    found: set[str] = set()
    for call in calls:
        if len(call.args) > 1 or any(k.arg is None for k in call.keywords):
            return None
        found.update(k.arg for k in call.keywords)
    return found


def shortest_form(name: str, source: str, code: str) -> str:
    """The launcher helper `name` written for the keywords `code`'s calls pass (`source`, its
    whole form, where it has no shorter one or a call's keywords cannot be read)."""
    write = SHORT_FORMS.get(name)
    if write is None:
        return source
    calls = _calls(code, name)
    passed = _keywords(calls)
    return source if passed is None else write(passed, calls)
