"""A slice's negative literal bounds counted from the dimension's end, as torch counts them:
`x[tile, 1:-1]` is `x[tile, 1:x.size(1) - 1]`, `x[tile, -3:]` is `x[tile, x.size(1) - 3:]`.

The shape analysis (shape_subscripts.py) and lowering (slices.py) both read a slice through
`from_start`, so they see the same bounds; a bound that stays negative at the launch (`-30:`
of 23 columns: torch clips it) is refused there by the launcher's slice check.
"""

from __future__ import annotations

import libcst as cst

_ARITHMETIC = {
    cst.Add: lambda a, b: a + b,
    cst.Subtract: lambda a, b: a - b,
    cst.Multiply: lambda a, b: a * b,
}


def literal_int(node: cst.BaseExpression | None) -> int | None:
    """The value of an integer literal or of arithmetic on them (`-2`, `-4 + 2`), else None."""
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        value = literal_int(node.expression)
        if value is None:
            return None
        return -value if isinstance(node.operator, cst.Minus) else value
    if isinstance(node, cst.BinaryOperation) and type(node.operator) in _ARITHMETIC:
        left, right = literal_int(node.left), literal_int(node.right)
        if left is None or right is None:
            return None
        return _ARITHMETIC[type(node.operator)](left, right)
    return None


def from_start(part: cst.Slice, tensor: str, dim: int) -> cst.Slice:
    """`part` with each bound that is a negative literal written `tensor.size(dim) - n`."""
    bounds = {}
    for field in ("lower", "upper"):
        value = literal_int(getattr(part, field))
        if value is not None and value < 0:
            bounds[field] = cst.parse_expression(f"{tensor}.size({dim}) - {-value}")
    return part.with_changes(**bounds) if bounds else part
