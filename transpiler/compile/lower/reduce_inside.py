"""`hl.reduce` without `other=` over a masked axis: the lanes outside the tensor take no part.

With `other=` the user names the value those lanes hold (the combine's identity: 1 for a
product). Without it they held 0, which is right for a sum only: a product of a row of 29
lanes in a block of 32 was 0, a minimum of positive numbers 0 (torch and reference mode
reduce the row's own elements). Here each input is reduced beside a flag saying whether its
lane lies inside; the combine keeps the inside operand where only one is, so any associative
combine function sees the row's elements alone. A reverse `hl.associative_scan` takes the same
flags: its scan starts at the lanes past the end (scans.py)."""

from __future__ import annotations

import ast

from ..emit.codegen import assign, expr


def flagged_inputs(builder, inputs: list, mask: ast.expr, line: int) -> list[ast.expr]:
    """The inputs' code, then the flag block (`mask` broadcast to the first input's shape)."""
    first = inputs[0].code
    if not isinstance(first, ast.Name):  # named once: its shape is read for the flag
        name = builder.names.fresh("reduced")
        builder.emit(assign(name, first), line)
        first = ast.Name(id=name)
    inside = builder.names.fresh("inside")
    builder.emit(assign(inside, expr("tl.broadcast_to(m, v.shape)", m=mask, v=first)), line)
    return [first, *(v.code for v in inputs[1:]), ast.Name(id=inside)]


def inside_combine(builder, function: str, count: int, line: int, reason: str = "") -> str:
    """A @triton.jit combine over (values..., inside) pairs that calls `function` where both
    lanes lie inside and keeps the inside one otherwise; returns its name. `reason` is its
    comment's parenthesis (hl.reduce's, by default)."""
    name = builder.names.fresh(f"{function}_inside")
    left = [f"left_{index}" for index in range(count)]
    right = [f"right_{index}" for index in range(count)]
    combined = [f"combined_{index}" for index in range(count)]
    params = ", ".join([*left, "left_inside", *right, "right_inside"])
    kept = ", ".join(
        f"tl.where(both, {c}, tl.where(left_inside, {a}, {b}))"
        for c, a, b in zip(combined, left, right, strict=True)
    )
    text = "\n".join(
        [
            f"# {function} with the lanes outside the tensor left out "
            f"({reason or f'hl.reduce of line {line} has no other='})",
            "@triton.jit",
            f"def {name}({params}):",
            f"    {', '.join(combined)} = {function}({', '.join(left + right)})",
            "    both = left_inside & right_inside",
            f"    return {kept}, left_inside | right_inside",
        ]
    )
    builder.user_functions.setdefault(name, text)
    return name
