"""What the magic refuses in a cell before running it, each at its line: a `@helion.kernel`
whose `helion` only an earlier cell imported (the cell would run it as Helion's own kernel, or
say it defines none), and a kernel name defined twice (the second silently replaced the first)."""

from __future__ import annotations

import ast

from transpiler import TranspileError

from .program import CELL_FILENAME

# the module a decorator's first name must be imported from, and the import to add
IMPORTS = {"helion": "import helion"}


class HelionNotImportedError(TranspileError):
    """A kernel decorator whose module the cell does not import."""


class RepeatedKernelError(TranspileError):
    """Two kernels of one name in a cell: the second replaces the first."""

    hint = "rename one of them, or delete the one you do not mean"


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


def check_cell(cell: str) -> None:
    """Raise at the first line a rule refuses (a syntax error is left to the transpiler)."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return
    for rule in RULES:
        rule(tree, cell.splitlines())


def decorated(tree: ast.Module) -> list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.expr]]:
    """Each (function, decorator) pair of the cell, in source order."""
    functions = [
        node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    pairs = [(f, d) for f in functions for d in f.decorator_list]
    return sorted(pairs, key=lambda pair: (pair[1].lineno, pair[1].col_offset))


def unimported_decorator(tree: ast.Module, lines: list[str]) -> None:
    """A kernel decorator whose module the cell does not import."""
    imported = imported_names(tree)
    for function, decorator in decorated(tree):
        root = root_name(decorator)
        if root in IMPORTS and root not in imported:
            raise HelionNotImportedError(
                f"the cell does not import {root}, so {function.name} is not a kernel of the cell",
                filename=CELL_FILENAME,
                lineno=decorator.lineno,
                col_offset=decorator.col_offset,
                source_line=lines[decorator.lineno - 1],
                hint=f"add `{IMPORTS[root]}` (and `import helion.language as hl`) to this "
                "cell: the magic reads the cell's own imports, not an earlier cell's",
            )


def repeated_kernel(tree: ast.Module, lines: list[str]) -> None:
    """A kernel name the cell's top level defines twice (the later one wins)."""
    first: dict[str, int] = {}
    for node in tree.body:
        kernel = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            "kernel" in ast.unparse(decorator) for decorator in node.decorator_list
        )
        if not kernel:
            continue
        if node.name in first:
            column = lines[node.lineno - 1].index(node.name, node.col_offset)
            raise RepeatedKernelError(
                f"kernel {node.name} is defined twice in the cell (lines {first[node.name]} and "
                f"{node.lineno}): the second replaces the first",
                filename=CELL_FILENAME,
                lineno=node.lineno,
                col_offset=column,
                source_line=lines[node.lineno - 1],
            )
        first[node.name] = node.lineno


RULES = (unimported_decorator, repeated_kernel)
