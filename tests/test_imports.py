"""The project's import graph: no cycles, and no function-local imports of its own modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("transpiler", "magics")

# Project modules that may be imported inside a function, and why: each pulls in a package
# that `import transpiler` (or `import magics`) does not need.
LAZY = {
    "magics.cell": "imports IPython, which only loading the extension needs",
    "transpiler.distributed.dist_utils": "@triton.jit code: importing it imports triton",
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """`from ..x import y` in `module` → the dotted name it imports from."""
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def _imports(module: str, is_package: bool, tree: ast.Module, known: set[str]):
    """(imported module, line, at module level) for each import of a known module.

    Imports under `if TYPE_CHECKING:` are for annotations and never run: they are skipped."""
    module_level: set[int] = set()
    stack: list[ast.AST] = list(tree.body)
    while stack:  # module level: the body and what top-level if/try blocks hold
        node = stack.pop()
        if _is_type_checking(node):
            continue
        module_level.add(id(node))
        if isinstance(node, (ast.If, ast.Try)):
            for field in ("body", "orelse", "handlers", "finalbody"):
                for child in getattr(node, field, []):
                    stack.extend(child.body if isinstance(child, ast.ExceptHandler) else [child])
    guarded = [node for node in ast.walk(tree) if _is_type_checking(node)]
    skipped = {id(inner) for node in guarded for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = absolute(module, is_package, node.level, node.module)
            names = [f"{base}.{a.name}" for a in node.names]
            targets = {n if n in known else base for n in names}
        elif isinstance(node, ast.Import):
            targets = {a.name for a in node.names}
        else:
            continue
        for target in sorted(t for t in targets if t in known and t != module):
            yield target, node.lineno, id(node) in module_level


def import_graph(sources: dict[str, tuple[str, bool]]):
    """Edges (module → modules it imports at import time) and function-local imports."""
    known = set(sources)
    edges: dict[str, set[str]] = {name: set() for name in sources}
    local: list[tuple[str, int, str]] = []
    for name, (text, is_package) in sources.items():
        for target, line, at_module_level in _imports(name, is_package, ast.parse(text), known):
            if not at_module_level:
                local.append((name, line, target))
                continue
            edges[name].add(target)
            parts = target.split(".")  # importing a.b.c runs a.b's __init__ first
            for n in range(1, len(parts)):
                parent = ".".join(parts[:n])
                if parent in known and not name.startswith(parent + "."):
                    edges[name].add(parent)
    return edges, local


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def project_sources() -> dict[str, tuple[str, bool]]:
    return {
        module_name(path, ROOT): (path.read_text(), path.name == "__init__.py")
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_the_project_has_no_import_cycles():
    edges, _ = import_graph(project_sources())
    assert len(edges) > 100  # the walk found the package
    assert cycles(edges) == []


def test_project_modules_are_imported_at_the_top():
    _, local = import_graph(project_sources())
    hidden = [f"{module}:{line} imports {target}" for module, line, target in local]
    assert [h for h in hidden if h.rsplit(" ", 1)[1] not in LAZY] == []


def test_every_lazy_exception_is_still_used():
    _, local = import_graph(project_sources())
    assert {target for _, _, target in local} == set(LAZY)


SYNTHETIC = {  # (sources, expected cycles, expected function-local imports)
    "two modules that import each other": (
        {
            "p": ("", True),
            "p.a": ("from . import b\n", False),
            "p.b": ("from .a import x\n", False),
        },
        [["p.a", "p.b"]],
        [],
    ),
    "a cycle of three through a package's __init__": (
        {
            "p": ("from .a import f\n", True),
            "p.a": ("import q.c\n", False),
            "q": ("", True),
            "q.c": ("from p.a import g\n", False),
        },
        [["p", "p.a", "q.c"]],
        [],
    ),
    "a cycle hidden by a function-local import": (
        {
            "p": ("", True),
            "p.a": ("from .b import y\n", False),
            "p.b": ("def f():\n    from .a import x\n    return x\n", False),
        },
        [],
        [("p.b", 2, "p.a")],
    ),
    "an annotation-only import under TYPE_CHECKING": (
        {
            "p": ("", True),
            "p.a": ("from .b import y\n", False),
            "p.b": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import X\n",
                False,
            ),
        },
        [],
        [],
    ),
    "an import inside a module-level try": (
        {
            "p": ("", True),
            "p.a": ("try:\n    from .b import y\nexcept ImportError:\n    y = None\n", False),
            "p.b": ("from .a import z\n", False),
        },
        [["p.a", "p.b"]],
        [],
    ),
}


@pytest.mark.parametrize("case", list(SYNTHETIC))
def test_the_checker_finds_cycles_and_hidden_imports(case):
    sources, expected_cycles, expected_local = SYNTHETIC[case]
    edges, local = import_graph(sources)
    assert cycles(edges) == expected_cycles
    assert local == expected_local
