"""Launcher helpers in their shortest form: written for the keywords the module's calls pass
(`check_tensors`' bool check only where a call passes `arithmetic=`)."""

from __future__ import annotations

import ast
from collections.abc import Callable

from ..tensor_checks import check_tensors_source

# helper → its source written for the keywords a module's calls pass (the one text of its parts)
SHORT_FORMS: dict[str, Callable[[set[str]], str]] = {"check_tensors": check_tensors_source}


def _keywords(code: str, helper: str) -> set[str] | None:
    """The keywords the module's calls of `helper` pass; None where a call passes more than its
    first argument by position, or splats one (its keywords are unknown)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == helper
        ):
            if len(node.args) > 1 or any(k.arg is None for k in node.keywords):
                return None
            found.update(k.arg for k in node.keywords)
    return found


def shortest_form(name: str, source: str, code: str) -> str:
    """The launcher helper `name` written for the keywords `code`'s calls pass (`source`, its
    whole form, where it has no shorter one or a call's keywords cannot be read)."""
    write = SHORT_FORMS.get(name)
    passed = _keywords(code, name) if write else None
    return source if write is None or passed is None else write(passed)
