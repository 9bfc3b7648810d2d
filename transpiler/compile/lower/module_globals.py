"""Module-level names a device loop reads: dtypes and numbers, assigned or imported (as Helion
resolves a kernel's globals)."""

from __future__ import annotations

import importlib
import math
import sys

import libcst as cst
import libcst.matchers as m
import torch

from ..emit.codegen import expr
from ..frontend.aliases import Aliases, canonical_module
from ..ops.table import DTYPES
from .values import CONST, DTYPE, MODULE, Value, constant


def module_global(name: str, aliases: Aliases, module: cst.Module) -> Value | None:
    """`HALF = torch.float16`, `from torch import float16`, `from mylib import SCALE`, `ON =
    True`: the dtype, number or flag the module-level `name` stands for, when the source (or, for an import, the
    imported module) says so; None for anything else (a host value passed at launch)."""
    if name in aliases.names:
        qualified = canonical_module(aliases.names[name])
        value = module_attribute(qualified)
        if value.kind != MODULE:
            return value
        return _imported_value(qualified)
    if name in aliases.globals:
        assigned = module_assignment(module, name)
        if assigned is None:
            return None
        if m.matches(assigned, m.Name("True") | m.Name("False")):  # a flag: specialised on
            return constant(assigned.value == "True")
        qualified = aliases.qualified(assigned)
        if qualified is not None:
            value = module_attribute(qualified)
            return value if value.kind in (DTYPE, CONST) else None
        if isinstance(assigned, cst.Name) and assigned.value != name:
            return module_global(assigned.value, aliases, module)  # HALF = DEFAULT_HALF
    return None


# the numbers math and torch name (torch.pi is math.pi; torch has no tau)
_NUMBERS = {
    **{("math", name): getattr(math, name) for name in ("pi", "e", "inf", "nan", "tau")},
    **{("torch", name): getattr(math, name) for name in ("pi", "e", "inf", "nan")},
}


def module_attribute(qualified: str) -> Value:
    """`torch.float16` (a dtype), `math.pi` (a number), or a module's name (MODULE)."""
    module, _, attr = qualified.rpartition(".")
    if module == "torch" and attr in DTYPES:
        return Value(DTYPE, expr(DTYPES[attr]), const=DTYPES[attr])
    if (module, attr) in _NUMBERS:
        return constant(_NUMBERS[module, attr])
    return Value(MODULE, name=qualified)


def module_assignment(module: cst.Module, name: str) -> cst.BaseExpression | None:
    """The value of the module's only top-level `name = value` (None if it has several)."""
    values = []
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            targets = []
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign) and small.value is not None:
                targets = [small.target]
            if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                values.append(small.value)
    return values[0] if len(values) == 1 else None


def _imported_value(qualified: str) -> Value | None:
    """`helion._testing.HALF_DTYPE`: imported, read as a dtype or a number; None when it cannot be
    imported or is neither. Helion's names are read through ours, and through Helion only where
    the user's module has imported it already: importing Helion itself takes seconds."""
    module_name, _, attr = qualified.rpartition(".")
    candidates = [module_name]
    if module_name.split(".")[0] == "helion":
        candidates.insert(0, "transpiler" + module_name.removeprefix("helion"))
    for candidate in candidates:
        module = sys.modules.get(candidate)
        if module is None and not candidate.startswith("helion"):
            try:
                module = importlib.import_module(candidate)
            except Exception:  # noqa: BLE001 - any import failure: not resolvable here
                continue
        if module is not None and hasattr(module, attr):
            return as_value(getattr(module, attr))
    return None


def as_value(value: object) -> Value | None:
    """A Python value lowering knows as it is: a torch dtype Triton has, a bool or a number."""
    if isinstance(value, torch.dtype):
        attr = str(value).removeprefix("torch.")
        return Value(DTYPE, expr(DTYPES[attr]), const=DTYPES[attr]) if attr in DTYPES else None
    if isinstance(value, (bool, int, float)):
        return constant(value)
    return None
