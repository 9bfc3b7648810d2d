"""A cell's kernels are known by the cell's own `import helion`: a `@helion.kernel` whose
`helion` only an earlier cell imported is refused at its decorator (the cell would otherwise
run it as Helion's own kernel, or say it defines none)."""

from __future__ import annotations

import ast

from transpiler import TranspileError

from .program import CELL_FILENAME

# the module a decorator's first name must be imported from, and the import to add
IMPORTS = {"helion": "import helion"}


class HelionNotImportedError(TranspileError):
    """A kernel decorator whose module the cell does not import."""


def imported_names(tree: ast.Module) -> set[str]:
    """The names the cell's top-level imports bind (`import helion.language as hl` → hl)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
    return names


def root_name(decorator: ast.expr) -> str | None:
    """`helion` of `@helion.kernel(...)`: the name the decorator's expression starts from."""
    node = decorator.func if isinstance(decorator, ast.Call) else decorator
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def check_imports(cell: str) -> None:
    """Raise at the first kernel decorator whose module the cell does not import."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return  # the transpiler reports it at its line
    imported = imported_names(tree)
    lines = cell.splitlines()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            root = root_name(decorator)
            if root in IMPORTS and root not in imported:
                raise HelionNotImportedError(
                    f"the cell does not import {root}, so {node.name} is not a kernel of the cell",
                    filename=CELL_FILENAME,
                    lineno=decorator.lineno,
                    col_offset=decorator.col_offset,
                    source_line=lines[decorator.lineno - 1],
                    hint=f"add `{IMPORTS[root]}` (and `import helion.language as hl`) to this "
                    "cell: the magic reads the cell's own imports, not an earlier cell's",
                )
