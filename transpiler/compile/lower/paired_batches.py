"""A matrix product of 4-D blocks (`q[tile_b, :, tile_s, :] @ k[tile_b, :, :, :].mT`, or added
into an accumulator: `acc += q4 @ k4.mT`): the two batch dimensions merged for one 3-D tl.dot,
the accumulator with them, then split again (a reshape only relabels lanes, and each batch
pair's product is its own, so padded lanes stay apart)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import ShapeError
from .values import NotSqueezable, Value, block, is_squeezed

if TYPE_CHECKING:
    from .dots import Dots

_SAME_BATCHES = (
    "index both factors alike on their first two dimensions (q[tile_b, :, ...], "
    "k[tile_b, :, ...]), or multiply 3-D blocks"
)


def four_d_product(
    dots: Dots, left: Value, right: Value, node: cst.CSTNode, acc: Value | None, out_dtype
) -> Value:
    """`left @ right` of two 4-D blocks with the same two batch dimensions, added into `acc`
    (broadcast to the product first, as torch.baddbmm's input) where one is given."""
    k = dots.k
    batch = left.dims[:2]
    for own, other in zip(batch, right.dims[:2]):
        if own is None or other is None or not k.broadcasting.same_axis(own, other):
            raise k.source.error(
                ShapeError,
                node,
                "a 4-D matrix product needs the same two batch dimensions in both factors "
                f"({_labels(left.dims[:2])} against {_labels(right.dims[:2])})",
                hint=_SAME_BATCHES,
            )
    k_left, k_right = left.dims[-1], right.dims[-2]
    if k_left is None or k_right is None or not k.broadcasting.same_axis(k_left, k_right):
        raise k.source.error(
            ShapeError,
            node,
            f"the inner dimensions differ: {_labels([k_left])} against {_labels([k_right])}",
            hint="index both operands with the same tile along K",
        )
    if any(map(is_squeezed, (*left.dims, *right.dims))) or None in (left.dims[2], right.dims[3]):
        raise NotSqueezable("a 4-D product with a dimension of one lane")
    roles = [(left.dims[2], "mn"), (right.dims[3], "mn"), (k_left, "k")]
    for axis, role in roles + [(axis, "batch") for axis in batch]:
        k.dot_axes.setdefault(axis, role)
    k.dot_k_nodes.setdefault(k_left, node)
    pairs = expr(
        "b * h", b=dots.block_shape(batch[:1]).elts[0], h=dots.block_shape(batch[1:]).elts[0]
    )
    operands = [
        expr("tl.reshape(v, s)", v=operand, s=ast.List([pairs, *dots.block_shape(v.dims[2:]).elts]))
        for operand, v in zip(dots.factor_inputs(left, right, k_left), (left, right))
    ]
    dims = (*batch, left.dims[2], right.dims[3])
    acc = dots.accumulator_as_product(acc, dims, node)
    acc_code = None
    if acc is not None:
        shape = ast.List([pairs, *dots.block_shape(dims[2:]).elts])
        acc_code = expr("tl.reshape(v, s)", v=acc.code, s=shape)
    code = dots.product_call(operands, acc, acc_code, out_dtype)
    kind = "int" if acc is not None and acc.dtype == "int" else "float"
    return block(expr("tl.reshape(v, s)", v=code, s=dots.block_shape(dims)), dims, kind)


def _labels(dims) -> str:
    return ", ".join("1" if axis is None else axis.label for axis in dims)
