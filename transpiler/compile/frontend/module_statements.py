"""The source's other top-level statements the generated module keeps: what defines something
(imports, functions, classes, a `__main__` block) and what binds a name the kept code reads;
never a statement that only runs (a cell's or script's prints, calls, loops), which would run
again each time the generated module is imported."""

from __future__ import annotations

import symtable

import libcst as cst
import libcst.matchers as m

from .names_read import NamesRead
from .targets import target_names

DEFINITIONS = (cst.FunctionDef, cst.ClassDef)
MAIN_BLOCK = m.If(
    test=m.Comparison(
        left=m.Name("__name__"),
        comparisons=[m.ComparisonTarget(operator=m.Equal(), comparator=m.SimpleString())],
    )
)


def statements_left_out(module: cst.Module) -> set[int]:
    """The ids of the top-level statements that bind nothing the kept code reads and define
    nothing: `x = torch.randn(100)` kept only when a kernel, a function or `__main__` reads `x`;
    `print(add(x, y))` never."""
    try:
        scopes = _function_globals(module)
    except SyntaxError:  # symtable refuses what the compiler reports later: keep everything
        return set()
    kept = [s for s in module.body if _always_kept(s)]
    others = [s for s in module.body if not _always_kept(s)]
    needed = set().union(*(_names_read(s, scopes) for s in kept))
    grew = True
    while grew:
        grew = False
        for statement in list(others):
            if _names_bound(statement) & needed:
                others.remove(statement)
                needed |= _names_read(statement, scopes)
                grew = True
    return {id(s) for s in others}


def _always_kept(statement: cst.BaseStatement) -> bool:
    if isinstance(statement, DEFINITIONS) or m.matches(statement, MAIN_BLOCK):
        return True
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return all(
        isinstance(small, (cst.Import, cst.ImportFrom))
        or (isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString))
        for small in statement.body
    )


class _Names(NamesRead):
    """Names read (not attributes' or keywords' names) and names bound by assignment."""

    def __init__(self) -> None:
        super().__init__()
        self.bound: set[str] = set()

    @property
    def read(self) -> set[str]:
        return {name.value for name in self.names}

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._bind(node.name)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target)

    def _bind(self, target: cst.BaseExpression) -> None:
        self.bound.update(target_names(target))


def _visited(statement: cst.BaseStatement) -> _Names:
    names = _Names()
    statement.visit(names)
    return names


def _function_globals(module: cst.Module) -> dict[str, set[str]]:
    """Each top-level function's or class's name → the module-level names its body reads
    (its own locals and parameters are not the module's)."""
    found: dict[str, set[str]] = {}
    for table in symtable.symtable(module.code, "<module>", "exec").get_children():
        names, tables = set(), [table]
        while tables:
            scope = tables.pop()
            tables.extend(scope.get_children())
            names |= {s.get_name() for s in scope.get_symbols() if s.is_global()}
        found.setdefault(table.get_name(), set()).update(names)
    return found


def _names_read(statement: cst.BaseStatement, scopes: dict[str, set[str]]) -> set[str]:
    """The module-level names a statement reads: a function's or class's globals and what its
    decorators, defaults and annotations name; any name of another statement."""
    if not isinstance(statement, DEFINITIONS):
        return _visited(statement).read
    outer = _Names()
    for decorator in statement.decorators:
        decorator.visit(outer)
    if isinstance(statement, cst.FunctionDef):
        for param in (
            *statement.params.posonly_params,
            *statement.params.params,
            *statement.params.kwonly_params,
        ):
            for part in (param.default, param.annotation):
                if part is not None:
                    part.visit(outer)
    return outer.read | scopes.get(statement.name.value, set())


def _names_bound(statement: cst.BaseStatement) -> set[str]:
    return _visited(statement).bound
