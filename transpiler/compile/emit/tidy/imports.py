"""The module's imports at its top, each once: `import torch as torch` → `import torch`,
`from __future__` first, then `import` lines, then `from` lines, each kind sorted."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .statement import parse, render

_SELF_ALIAS = m.ImportAlias(asname=m.AsName(name=m.Name()))


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
