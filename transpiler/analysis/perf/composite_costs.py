"""The cost model's F.layer_norm / rms_norm / linear / dropout (ops/composites.py's rows), and
F.normalize / torch.linalg.vector_norm (lower/norms.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst
import torch

from ...compile.frontend.torch_signatures import TORCH_SIGNATURES
from ...compile.lower.shape_composites import whole_tensor
from ...compile.ops.composites import COMPOSITES_BY_NAME
from .cost import Dim
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


# FLOPs per element of the norms lowering spells with reductions (lower/norms.py): |x| ** p
# (a multiply for p=2), the sum, the root; F.normalize also divides each element
NORM_FLOPS = {"vector_norm": 2, "normalize": 3}


def norm(w: Walker, node: cst.Call, name: str) -> Any:
    """torch.linalg.vector_norm(x, ord, dim, keepdim): the reduction of |x| ** ord over dim;
    F.normalize(x, p, dim): x divided by that norm, its shape."""
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    nodes = dict(zip(TORCH_SIGNATURES[name].positional, positional))
    nodes |= {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    value = w.expressions.ev(nodes["input"])
    dims = w.expressions.dims_of(node, value)
    w.record(NORM_FLOPS[name], dims)
    if name == "normalize":
        return Block(dims, True)
    dim = w.expressions.ev(nodes["dim"]).value if "dim" in nodes else None
    keepdim = bool(w.expressions.ev(nodes["keepdim"]).value) if "keepdim" in nodes else False
    if dim is None:
        return Block((Dim(),) * len(dims) if keepdim else (), True)
    axes = {d % len(dims) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
    kept = tuple(Dim() if i in axes else d for i, d in enumerate(dims) if keepdim or i not in axes)
    return Block(kept, True)
