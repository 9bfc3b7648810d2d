"""The module's imports at its top, each once: `import torch as torch` → `import torch`,
`from __future__` first, then `import` lines, then `from` lines, each kind sorted; the source's
imports of the standard library, torch or triton that the finished module never reads dropped."""

from __future__ import annotations

import ast
import sys

import libcst as cst
import libcst.matchers as m

from .statement import parse, render

_SELF_ALIAS = m.ImportAlias(asname=m.AsName(name=m.Name()))
# packages whose import does nothing a module that does not read it needs (no registration)
_QUIET = frozenset(sys.stdlib_module_names) | {"torch", "triton"}


class _PlainAliases(cst.CSTTransformer):
    def leave_ImportAlias(self, original: cst.ImportAlias, updated: cst.ImportAlias):
        if m.matches(updated, _SELF_ALIAS) and render(updated.name) == updated.asname.name.value:
            return updated.with_changes(asname=None)
        return updated


def _plain(line: str) -> str:
    node = parse(line) if " as " in line else None
    return render(node.visit(_PlainAliases())) if node is not None else line


def _order(line: str) -> tuple[int, str]:
    if line.startswith("from __future__"):
        return 0, line
    return (1 if line.startswith("import ") else 2), line


def tidy_imports(imports: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """(import line, its source line) pairs: plain, each once (the first kept), sorted."""
    seen: dict[str, int | None] = {}
    for line, source_line in imports:
        seen.setdefault(_plain(line), source_line)
    return sorted(seen.items(), key=lambda item: _order(item[0]))


def _unread(line: str, read: frozenset[str]) -> bool:
    """Whether `line` imports only from `_QUIET` packages names that `read` lacks."""
    try:
        (node,) = ast.parse(line).body
    except (SyntaxError, ValueError):
        return False
    if isinstance(node, ast.Import):
        packages = [alias.name for alias in node.names]
        bound = [alias.asname or alias.name.split(".")[0] for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
        packages = [node.module or ""]
        bound = [alias.asname or alias.name for alias in node.names]
    else:
        return False
    quiet = all(package.split(".")[0] in _QUIET for package in packages)
    return quiet and "*" not in bound and not read.intersection(bound)


def read_imports(imports: list[tuple[str, int | None]], code: str) -> list[tuple[str, int | None]]:
    """The source's imports that `code` (the rest of the module) reads a name of, or that may do
    something on import (a package outside the standard library, torch and triton)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return imports
    read = frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
    return [(line, source_line) for line, source_line in imports if not _unread(line, read)]
