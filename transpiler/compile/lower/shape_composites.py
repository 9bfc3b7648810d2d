"""The shape analysis' rules for F.layer_norm / rms_norm / linear and torch.linalg.vector_norm."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..ops.table import CAST_METHODS
from .shape_subscripts import access
from .shape_torch import reduction
from .shape_values import COLON, UNKNOWN, Block, Call, Materialise, squeezed

if TYPE_CHECKING:
    from .shapes import Walker

# where each op's tensor operands sit after its input (torch's positions less one)
OPERANDS: dict[str, tuple[tuple[int, str], ...]] = {
    "layer_norm": ((1, "weight"), (2, "bias")),
    "rms_norm": ((1, "weight"),),
    "linear": ((0, "weight"), (1, "bias")),
}


def whole_tensor(node: cst.BaseExpression) -> cst.Name | None:
    """The host tensor's name where `node` is one named whole (`w`, `w.float()`, `w.to(d)`)."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        if node.func.attr.value not in (*CAST_METHODS, "to"):
            return None
        node = node.func.value
    return node if isinstance(node, cst.Name) else None


def operand(w: Walker, node: cst.BaseExpression, rank: int) -> object:
    """A block, or all `rank` dimensions of a host tensor named without a subscript."""
    name = whole_tensor(node)
    if name is not None and w.is_host_tensor(name.value):
        dims = access(w, name.value, [COLON] * rank)
        return UNKNOWN if dims is None else Block(dims)
    return w.expr(node)


def normalized_count(c: Call) -> int | None:
    shape = c.get(0, "normalized_shape")
    if isinstance(shape, (cst.List, cst.Tuple)):
        return len(shape.elements)
    return None if shape is None else 1


def normalized(w: Walker, c: Call) -> object:
    """layer_norm / rms_norm: the input's shape; weight and bias meet its last dimensions."""
    count = normalized_count(c)
    for position, keyword in OPERANDS[c.name]:
        node = c.get(position, keyword)
        if node is not None and count is not None and not _is_none(node):
            w.meeting.broadcast(c.owner, operand(w, node, count))
    return Block(c.owner.dims)


def linear(w: Walker, c: Call) -> object:
    """x @ weight.T (+ bias): K meets K; the result is (..., M, N) (x may be 3-D: a batch)."""
    weight_node = c.get(0, "weight")
    weight = UNKNOWN if weight_node is None else operand(w, weight_node, 2)
    owner = c.owner
    if not isinstance(weight, Block) or len(weight.dims) != 2 or len(owner.dims) < 2:
        return UNKNOWN
    if any(map(squeezed, (*owner.dims[-2:], *weight.dims))):
        raise Materialise  # a squeezed tile as a matrix dimension
    if owner.dims[-1] is not None and weight.dims[-1] is not None:
        w.meeting.meet(owner.dims[-1], weight.dims[-1])  # K meets K
    result = Block((*owner.dims[:-1], weight.dims[0]))
    bias = c.get(1, "bias")
    if bias is None or _is_none(bias):
        return result
    return w.meeting.broadcast(result, operand(w, bias, 1))


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def vector_norm(w: Walker, c: Call) -> object:
    """torch.linalg.vector_norm(x, ord, dim, keepdim): a reduction along dim (lower/norms.py)."""
    return reduction(w, c.owner, c.get(1, "dim"), c.get(2, "keepdim"))
