"""Size expressions of host code: `x.size(d)`, `x.shape[d]`, `x.size()`, a view's new shape."""

from __future__ import annotations

import libcst as cst

from .aliases import dotted_name


def size_of(node: cst.BaseExpression) -> tuple[str, int] | None:
    """(tensor, dim) for `x.size(d)` or `x.shape[d]` with a literal d."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "size"
        and isinstance(node.func.value, cst.Name)
        and len(node.args) == 1
    ):
        dim = literal_int(node.args[0].value)
        return (node.func.value.value, dim) if dim is not None else None
    if (
        isinstance(node, cst.Subscript)
        and isinstance(node.value, cst.Attribute)
        and node.value.attr.value == "shape"
        and isinstance(node.value.value, cst.Name)
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Index)
    ):
        dim = literal_int(node.slice[0].slice.value)
        return (node.value.value.value, dim) if dim is not None else None
    return None


def whole_size_tensor(node: cst.BaseExpression) -> str | None:
    """The tensor `x` of `x.size()` / `x.shape`."""
    if isinstance(node, cst.Call) and not node.args:
        node = node.func
        if isinstance(node, cst.Attribute) and node.attr.value == "size":
            return dotted_name(node.value)
        return None
    if isinstance(node, cst.Attribute) and node.attr.value == "shape":
        return dotted_name(node.value)
    return None


def shape_entries(positional: list[cst.BaseExpression]) -> list:
    """The new shape's entries of `x.view(...)` / `x.reshape(...)`: one list or tuple
    (`x.view([m, n])`), or the arguments themselves (`x.view(m, n)`)."""
    shape = positional[0]
    return list(shape.elements) if isinstance(shape, (cst.List, cst.Tuple)) else positional


def dtype_view(positional: list[cst.BaseExpression]) -> bool:
    """`x.view(torch.int32)` / `x.view(y.dtype)`: the same memory as another dtype, not a new
    shape (a `torch.` name alone, or a `.dtype`)."""
    if len(positional) != 1 or not isinstance(positional[0], cst.Attribute):
        return False
    attribute = positional[0]
    if attribute.attr.value == "dtype":
        return True
    return isinstance(attribute.value, cst.Name) and attribute.value.value == "torch"


def literal_int(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, cst.Integer)
    ):
        return -int(node.expression.evaluated_value)
    return None
