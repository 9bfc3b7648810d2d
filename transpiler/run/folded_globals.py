"""Module-level dtypes and flags a kernel reads (`HALF = torch.float16`, `ON = True`) are
constants of its generated code, read from the source when it is transpiled: a later cell that
gives the name another value is refused at the call, naming the line the kernel was made with
(it kept the old value, silently)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import torch

from .lent_names import code_names


@dataclass(frozen=True)
class Folded:
    """A module-level name the generated code holds as a constant: its value and its line."""

    name: str
    value: object
    line: int
    text: str


def folded_globals(fn: Callable, source: str) -> tuple[Folded, ...]:
    """The names `fn` reads that `source` assigns once at module level to True, False or a
    torch dtype (what compile/lower/module_globals.py folds)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    assigned: dict[str, list[ast.Assign]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node)
    read = code_names(fn.__code__)
    folded = []
    for name, nodes in assigned.items():
        if name not in read or len(nodes) != 1:
            continue
        value = _constant(nodes[0].value)
        if value is not None:
            text = ast.get_source_segment(source, nodes[0]) or name
            folded.append(Folded(name, value, nodes[0].lineno, text))
    return tuple(folded)


def _constant(node: ast.expr) -> object:
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return node.value
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "torch"
        and isinstance(getattr(torch, node.attr, None), torch.dtype)
    ):
        return getattr(torch, node.attr)
    return None


def check_folded(name: str, folded: tuple[Folded, ...], namespace: dict, filename: str) -> None:
    """Refuse a call after the namespace gave a folded name another value."""
    for entry in folded:
        if entry.name not in namespace:
            continue
        now = namespace[entry.name]
        if type(now) is type(entry.value) and now == entry.value:
            continue
        raise RuntimeError(
            f"{entry.name} is {now!r} now, but {name}() was transpiled with `{entry.text}` "
            f"({filename}:{entry.line}): a module-level dtype or flag is a constant of the "
            f"generated code; run the kernel's cell again after changing it, or pass it as an "
            f"argument"
        )
