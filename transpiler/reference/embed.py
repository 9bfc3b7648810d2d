"""Reference mode's own source text, the definitions some names need, for a module that must run
without the project (an exported module's reference): one definition of each eager meaning."""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import types
from collections.abc import Iterable
from dataclasses import dataclass

from . import contention, eager, hl_eager, philox, positions, products, tiles

# The modules whose top-level definitions can be embedded, each after those it imports from.
MODULES: tuple[types.ModuleType, ...] = (
    positions,
    tiles,
    philox,
    eager,
    contention,
    hl_eager,
    products,
)
FUNCTION = "_helion_language"


@dataclass(frozen=True)
class Definition:
    """One top-level statement of an embeddable module: the names it binds and reads."""

    order: tuple[int, int]  # (module, statement): definitions stay in their modules' order
    binds: frozenset[str]
    reads: frozenset[str]
    text: str  # its lines, with the comment lines right above it


def _lines_of(statement: ast.stmt, lines: list[str]) -> str:
    first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
    while first > 1 and lines[first - 2].lstrip().startswith("#"):
        first -= 1
    return "\n".join(lines[first - 1 : statement.end_lineno])


def _binds(statement: ast.stmt) -> set[str]:
    if isinstance(statement, (ast.FunctionDef, ast.ClassDef)):
        return {statement.name}
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


@functools.cache
def _definitions() -> tuple[dict[str, Definition], list[str]]:
    """Every embeddable top-level name → its definition; the modules' imports (not their own)."""
    by_name: dict[str, Definition] = {}
    imports: list[str] = []
    for module_index, module in enumerate(MODULES):
        text = inspect.getsource(module)
        lines = text.splitlines()
        for index, statement in enumerate(ast.parse(text).body):
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                relative = isinstance(statement, ast.ImportFrom) and statement.level
                if not relative and getattr(statement, "module", None) != "__future__":
                    imports.append(ast.get_source_segment(text, statement))
                continue
            if isinstance(statement, ast.Expr):  # the module's docstring
                continue
            binds = _binds(statement)
            reads = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name)} - binds
            definition = Definition(
                (module_index, index),
                frozenset(binds),
                frozenset(reads),
                _lines_of(statement, lines),
            )
            for name in binds:
                if name in by_name:
                    raise ValueError(f"{module.__name__} binds {name!r} a second time")
                by_name[name] = definition
    return by_name, list(dict.fromkeys(imports))


def defining_name(value: object) -> str:
    """The top-level name an embeddable module binds `value` to."""
    for module in MODULES:
        for name, bound in vars(module).items():
            if bound is value and not isinstance(bound, types.ModuleType):
                return name
    raise LookupError(f"{value!r} is defined in none of {[m.__name__ for m in MODULES]}")


def needed(names: Iterable[str]) -> list[Definition]:
    """The definitions `names` need, with every definition those read, in source order."""
    by_name, _ = _definitions()
    pending, found = list(names), {}
    while pending:
        definition = by_name[pending.pop()]
        if definition.order not in found:
            found[definition.order] = definition
            pending.extend(name for name in definition.reads if name in by_name)
    return [found[order] for order in sorted(found)]


def section(exposed: dict[str, object]) -> tuple[list[str], str]:
    """(imports, source) of a function that builds a namespace with each of `exposed`'s names
    bound to its value, from the definitions of reference mode these values need."""
    bound = {name: defining_name(value) for name, value in sorted(exposed.items())}
    body = "\n\n".join(d.text for d in needed(bound.values()))
    returned = ", ".join(f"{name}={value}" for name, value in bound.items())
    text = (
        f"def {FUNCTION}() -> types.SimpleNamespace:\n"
        '    """helion.language run eagerly, each tile loop over its whole range (the names these\n'
        '    kernels use, as transpiler\'s reference mode defines them in transpiler/reference/)."""\n\n'
        + textwrap.indent(body, "    ")
        + f"\n\n    return types.SimpleNamespace({returned})"
    )
    _, imports = _definitions()
    # no `from __future__ import annotations`: a dataclass's string annotations need its module in
    # sys.modules, which a module loaded by importlib's exec_module is not (annotations are
    # evaluated where they stand instead: the embedded modules hold no forward reference)
    return ["import types", *imports], text
