"""The project's classes: none over about 60 methods, no mixins (components on a hub instead)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("transpiler", "magics")
MOST_METHODS = 60

# Classes still built from mixins, and why (each one an open step of issue 16).
KNOWN: dict[str, str] = {}


def classes(sources: dict[str, str]) -> list[tuple[str, ast.ClassDef]]:
    """(module:Class, node) for every class of every module, nested ones too."""
    found = []
    for module, text in sorted(sources.items()):
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                found.append((f"{module}:{node.name}", node))
    return found


def methods(node: ast.ClassDef) -> list[str]:
    return [n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def base_names(node: ast.ClassDef) -> list[str]:
    """`class A(b.B, C[int], metaclass=M)` → ["B", "C"]."""
    names = []
    for base in node.bases:
        while isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Attribute):
            names.append(base.attr)
        elif isinstance(base, ast.Name):
            names.append(base.id)
    return names


def problems(sources: dict[str, str]) -> list[str]:
    """Each class over MOST_METHODS methods, named *Mixin, or built on two project classes."""
    found = classes(sources)
    project = {node.name for _, node in found}
    out = []
    for where, node in found:
        count = len(methods(node))
        if count > MOST_METHODS:
            out.append(f"{where} has {count} methods (at most {MOST_METHODS})")
        if node.name.endswith("Mixin"):
            out.append(f"{where} is a mixin: make it a component holding the state it works on")
        own = [name for name in base_names(node) if name in project]
        if len(own) > 1:
            out.append(f"{where} inherits from {len(own)} project classes: {', '.join(own)}")
    return out


def project_sources() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT).with_suffix("")).replace("/", "."): path.read_text()
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_no_class_is_too_big_or_built_from_mixins():
    sources = project_sources()
    assert len(sources) > 100  # the walk found the packages
    found = [p for p in problems(sources) if p.split(" ", 1)[0] not in KNOWN]
    assert found == []


def test_every_known_exception_is_still_there():
    flagged = {p.split(" ", 1)[0] for p in problems(project_sources())}
    assert set(KNOWN) <= flagged


def _many(count: int) -> str:
    return "".join(f"    def m{i}(self):\n        return {i}\n" for i in range(count))


SYNTHETIC = {  # name → (sources, expected problems)
    "sixty methods are fine": ({"p.a": f"class A:\n{_many(60)}"}, []),
    "sixty-one are too many": (
        {"p.a": f"class A:\n{_many(61)}"},
        ["p.a:A has 61 methods (at most 60)"],
    ),
    "a nested class counts too": (
        {"p.a": f"def f():\n    class B:\n{_many(61).replace('    ', '        ')}"},
        ["p.a:B has 61 methods (at most 60)"],
    ),
    "a class named as a mixin": (
        {"p.a": "class LoopsMixin:\n    pass\n"},
        ["p.a:LoopsMixin is a mixin: make it a component holding the state it works on"],
    ),
    "two project bases, across modules": (
        {
            "p.a": "class Calls:\n    pass\nclass Indexing:\n    pass\n",
            "p.b": "from . import a\nclass Walker(a.Calls, a.Indexing):\n    pass\n",
        },
        ["p.b:Walker inherits from 2 project classes: Calls, Indexing"],
    ),
    "one project base and outside ones": (
        {
            "p.a": "class Base:\n    pass\n",
            "p.b": "import ast\nfrom .a import Base\nclass V(ast.NodeVisitor, Base):\n    pass\n",
        },
        [],
    ),
    "a generic project base": (
        {
            "p.a": "class Box:\n    pass\nclass Pair:\n    pass\nclass P(Box[int], Pair):\n    pass\n"
        },
        ["p.a:P inherits from 2 project classes: Box, Pair"],
    ),
}


@pytest.mark.parametrize("name", SYNTHETIC)
def test_the_check_on_small_sources(name):
    sources, expected = SYNTHETIC[name]
    assert problems(sources) == expected
