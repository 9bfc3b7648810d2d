"""The magic is a client of the transpiler's public API: `transpiler.__all__` and the modules in
`transpiler.PUBLIC_MODULES` (with their submodules), nothing else (issue 16)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import transpiler

MAGICS = Path(__file__).resolve().parent.parent / "magics"


def public_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in transpiler.PUBLIC_MODULES)


def private_uses(source: str) -> list[str]:
    """Each use of the transpiler beyond its public API in `source`: `from transpiler.X import`
    of a non-public X, `from transpiler import name` or `transpiler.name` of a name not in
    __all__, `import transpiler.X` of a non-public X."""
    tree = ast.parse(source)
    found = []
    bound = set()  # names under which `transpiler` itself is bound
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "transpiler":
                found += [
                    f"transpiler.{a.name}" for a in node.names if a.name not in transpiler.__all__
                ]
            elif node.module.startswith("transpiler.") and not public_module(node.module):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "transpiler":
                    bound.add(alias.asname or "transpiler")
                elif alias.name.startswith("transpiler.") and not public_module(alias.name):
                    found.append(alias.name)
                elif alias.name.startswith("transpiler.") and alias.asname is None:
                    bound.add("transpiler")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in bound
            and node.attr not in transpiler.__all__
            and not public_module(f"transpiler.{node.attr}")
        ):
            found.append(f"transpiler.{node.attr}")
    return found


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("from transpiler.compile.pipeline import Transpiled", ["transpiler.compile.pipeline"]),
        ("from transpiler.run.runtime import Kernel", ["transpiler.run.runtime"]),
        ("from transpiler.run import runtime", ["transpiler.run"]),
        ("import transpiler.reference.mode", ["transpiler.reference.mode"]),
        ("from transpiler import language, _KERNELS", ["transpiler._KERNELS"]),
        ("import transpiler\ntranspiler.compile.pipeline.transpile_module", ["transpiler.compile"]),
        ("import transpiler as t\nt.run.autotune.search", ["transpiler.run"]),
        ("from transpiler import Kernel, kernels_from_source, runtime", []),
        ("from transpiler.analysis.perf.roofline import point", []),
        ("from transpiler.errors import KernelErrors", []),
        ("import transpiler\ntranspiler.transpile_module", []),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_the_check_tells_public_from_private(snippet: str, expected: list[str]) -> None:
    assert private_uses(snippet) == expected


def test_public_modules_exist_and_are_documented() -> None:
    import importlib

    architecture = (MAGICS.parent / "docs" / "architecture.md").read_text()
    for name in transpiler.PUBLIC_MODULES:
        importlib.import_module(name)
        assert f"`{name}`" in architecture, name
    for name in transpiler.__all__:
        assert hasattr(transpiler, name), name


@pytest.mark.parametrize("path", sorted(MAGICS.glob("*.py")), ids=lambda path: path.name)
def test_the_magic_uses_only_the_public_api(path: Path) -> None:
    assert private_uses(path.read_text()) == []
