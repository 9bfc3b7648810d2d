"""The cost model's F.layer_norm / rms_norm / linear / dropout (ops/composites.py's rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst
import torch

from ...compile.frontend.torch_signatures import TORCH_SIGNATURES
from ...compile.lower.shape_composites import whole_tensor
from ...compile.ops.composites import COMPOSITES_BY_NAME
from .values import Block, Host

if TYPE_CHECKING:
    from .walk import Walker

_COLON = cst.SubscriptElement(cst.Slice(lower=None, upper=None))


def composite(w: Walker, node: cst.Call, name: str) -> Any:
    """Its row's FLOPs over the input's lanes; weight and bias read (a host tensor named whole
    as `w[:]`); F.linear a product of the weight's transpose."""
    op = COMPOSITES_BY_NAME[name]
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    nodes = dict(zip(TORCH_SIGNATURES[name].positional, positional))
    nodes |= {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    value = w.expressions.ev(nodes["input"])
    if name == "dropout":
        return value
    if name == "linear":
        weight = w.expressions.dims_of(node, operand(w, nodes["weight"], 2))
        result = w.calls.dot(node, value, Block(weight[::-1]))
        bias = nodes.get("bias")
        if bias is not None and not _none(bias):
            w.expressions.elementwise(node, (result, operand(w, bias, 1)), 1, "same")
        return result
    dims = w.expressions.dims_of(node, value)
    w.record(op.flops, dims)
    shape = nodes.get("normalized_shape")
    count = len(shape.elements) if isinstance(shape, (cst.List, cst.Tuple)) else 1
    for keyword in ("weight", "bias"):
        given = nodes.get(keyword)
        if given is not None and not _none(given):
            operand(w, given, count)  # its bytes (a load) and its work
    return Block(dims, True)


def operand(w: Walker, node: cst.BaseExpression, rank: int) -> Any:
    name = whole_tensor(node)
    tensor = w.expressions.ev(name) if name is not None else None
    if isinstance(tensor, Host) and isinstance(tensor.value, torch.Tensor):
        return w.indexing.load(cst.Subscript(value=name, slice=[_COLON] * rank), tensor.value)
    return w.expressions.ev(node)


def _none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"
