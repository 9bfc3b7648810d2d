"""Checks the launcher makes on the arguments before any host statement runs on them: a wrong
argument gets a Python error naming it and the source line that needs it, not a failure deep
inside the host code or the kernel."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

# `m, n = x.size()` / `m, n = x.shape`: the statement fixes x's rank
_SIZES = m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("size")), args=[]) | m.Attribute(
    value=m.Name(), attr=m.Name("shape")
)
_UNPACKING = m.SimpleStatementLine(
    body=[m.Assign(targets=[m.AssignTarget(target=m.Tuple() | m.List())], value=_SIZES)]
)


def unpacking_checks(statement: cst.CSTNode, parameters: set[str], line: int) -> list[str]:
    """`check_tensors` lines for a statement that unpacks a tensor argument's sizes into names."""
    if not m.matches(statement, _UNPACKING):
        return []
    assign = statement.body[0]
    names = assign.targets[0].target.elements
    if any(isinstance(element, cst.StarredElement) for element in names):
        return []
    tensor = (
        assign.value.func.value.value
        if isinstance(assign.value, cst.Call)
        else (assign.value.value.value)
    )
    if tensor not in parameters:
        return []
    why = f"line {line} unpacks its sizes into {len(names)} names"
    return [
        f'check_tensors({{"{tensor}": {tensor}}}, ranks={{"{tensor}": {len(names)}}}, why="{why}")'
    ]
