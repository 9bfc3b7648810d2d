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
    """`require` lines for a statement that unpacks a tensor argument's sizes into names."""
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
    rank = len(names)
    message = (
        f"{tensor} must be {rank}-D: line {line} unpacks its sizes into {rank} names, "
        f"got a {{{tensor}.dim()}}-D tensor of shape {{tuple({tensor}.shape)}}"
    )
    return [
        f'require(isinstance({tensor}, torch.Tensor), lambda: "{tensor} must be a tensor", '
        "TypeError)",
        f'require({tensor}.dim() == {rank}, lambda: f"{message}", ValueError)',
    ]
