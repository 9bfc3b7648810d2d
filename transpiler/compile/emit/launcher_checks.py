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


def view_checks(statement: cst.CSTNode, tensors: set[str], line: int) -> list[str]:
    """`check_view` lines for a host statement viewing a tensor (`flat = x.view(-1)`): torch
    refuses a view its strides cannot give, and its error names neither the line nor the fix.
    A statement of its own line only: a view under an `if` may never run."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return []
    checks = []
    for call in m.findall(statement, _VIEW):
        tensor = call.func.value.value
        if tensor not in tensors or any(arg.star for arg in call.args):
            continue
        shape = ", ".join(cst.Module([]).code_for_node(arg).rstrip(", ") for arg in call.args)
        written = cst.Module([]).code_for_node(call)
        checks.append(f"check_view({tensor}, {shape}, line={line}, written={written!r})")
    return checks


_VIEW = m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("view")))
