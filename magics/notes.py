"""What the magic says of a cell's shape before running it: no kernel to show, or a last
expression that a plain cell would display and a `%%helion` cell does not."""

from __future__ import annotations

import ast
from collections.abc import Collection

# calls whose value is not the point of writing them last (a plain cell shows nothing of them)
QUIET_CALLS = ("print", "display")


def no_kernel_note(cell: str) -> str:
    """What to say of a cell with no `@helion.kernel`: its functions, if any, and the fix."""
    functions = [
        node.name
        for node in ast.parse(cell).body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    defined = f" (it defines {', '.join(functions)})" if functions else ""
    return (
        f"note: the cell defines no @helion.kernel{defined}, so there is no Triton to show; "
        "decorate a kernel with @helion.kernel()"
    )


def last_expression_note(cell: str) -> str | None:
    """A cell ending in an expression (`add(x, y)[:3]`): IPython would display its value; the
    cell runs as a module, so say so and give the option that shows (and checks) it."""
    body = ast.parse(cell).body
    last = body[-1] if body else None
    if not isinstance(last, ast.Expr) or isinstance(last.value, ast.Constant):
        return None
    call = last.value.func if isinstance(last.value, ast.Call) else None
    if isinstance(call, ast.Name) and call.id in QUIET_CALLS:
        return None
    text = ast.get_source_segment(cell, last) or ""
    if "\n" in text:
        return None  # a statement over several lines does not fit the magic line
    return (
        f"note: the cell's last line `{text}` is not displayed (a %%helion cell runs as a "
        f"module); --run {text!r} on the magic line shows its value and checks it"
    )


def cell_notes(cell: str, kernels: Collection[str]) -> list[str]:
    """The notes for this cell, in the order they are printed."""
    notes = [] if kernels else [no_kernel_note(cell)]
    last = last_expression_note(cell)
    return notes + ([last] if last else [])
