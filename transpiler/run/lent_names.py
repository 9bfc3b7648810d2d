"""The names a generated module reads from its kernel's namespace: lent at load, again per call."""

from __future__ import annotations

import ast
import builtins
import dis
import symtable
import types
from collections.abc import Iterable
from typing import Any

LENT_ATTRIBUTE = "__transpiler_lent__"  # on a loaded module: the names its namespace lends it
# ... and the names its top-level assignments bind, which a namespace binding them lends too
KEPT_ATTRIBUTE = "__transpiler_kept__"


GLOBAL_LOADS = frozenset({"LOAD_GLOBAL", "LOAD_NAME"})


def code_names(code: types.CodeType) -> frozenset[str]:
    """The global names a function's code (and the code nested in it) reads; not attributes
    (`x.max()` reads no global `max`)."""
    names = {op.argval for op in dis.get_instructions(code) if op.opname in GLOBAL_LOADS}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= code_names(constant)
    return frozenset(names)


def borrowed_names(code: str, reads: Iterable[str] | None = None) -> frozenset[str]:
    """The globals `code` reads and does not bind at its top level. A builtin's name only
    where `reads` (the user's function's names) has it too: the generated helpers' `max` is
    Python's, whatever a notebook has bound to `max`."""
    table = symtable.symtable(code, "<generated>", "exec")
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    read: set[str] = set()
    tables = [table]
    while tables:
        scope = tables.pop()
        tables.extend(scope.get_children())
        read |= {
            symbol.get_name()
            for symbol in scope.get_symbols()
            if symbol.is_referenced() and (symbol.is_global() or scope is table)
        }
    allowed = frozenset(reads or ())
    return frozenset(
        name for name in read - bound if not hasattr(builtins, name) or name in allowed
    )


def assigned_names(code: str) -> frozenset[str]:
    """The names `code`'s top-level assignments bind and no def, class or import does: the
    user's statements the module keeps for the kernels that read them (`W = torch.randn(n)`,
    `SCALE = 2.0`), run again when the module loads."""
    assigned: set[str] = set()
    defined: set[str] = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assigned |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return frozenset(assigned - defined)


def lend(module: types.ModuleType, namespace: dict[str, Any] | None) -> None:
    """The module's borrowed names as `namespace` binds them now (a helper an earlier cell
    redefined, a name deleted there): what its host code reads is what Python would read. Its
    assigned names too, where `namespace` binds them: the kernel reads the tensor the user's
    code made (`W = torch.randn(n)` run again would be another), and the value a later cell
    gave it (`SCALE = 3.0`)."""
    if namespace is None:
        return
    globals_ = module.__dict__
    for name in getattr(module, LENT_ATTRIBUTE, ()):
        if name in namespace:
            globals_[name] = namespace[name]
        else:
            globals_.pop(name, None)
    for name in getattr(module, KEPT_ATTRIBUTE, ()):
        if name in namespace:
            globals_[name] = namespace[name]
