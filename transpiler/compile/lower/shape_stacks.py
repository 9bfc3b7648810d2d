"""The shape analysis' rules for torch.stack / cat, gathers and matrix products (shapes.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..ops.products import ProductOp
from .shape_values import UNKNOWN, Block, Call, Items, Materialise, int_of, squeezed

if TYPE_CHECKING:
    from .shapes import Walker


def gather(w: Walker, c: Call) -> object:
    """torch.gather(block, dim, index): the index's shape (gathers.py; other dims are equal)."""
    index = c.get(1, "index")
    value = UNKNOWN if index is None else w.expr(index)
    return Block(value.dims) if isinstance(value, Block) else UNKNOWN


def stacked(w: Walker, c: Call) -> object:
    """torch.stack / cat of blocks written out (joins.py): the operands broadcast; stack adds
    a dimension of one lane per operand, cat lays them side by side along a known size."""
    listed = c.owner if isinstance(c.owner, Items) else None
    dim = int_of(c.get(0, "dim")) if c.get(0, "dim") is not None else 0
    if listed is None or dim is None or not all(isinstance(v, Block) for v in listed.items):
        return UNKNOWN
    values, count = listed.items, len(listed.items)
    if count & (count - 1):
        return UNKNOWN
    if c.name != "stack":
        return concatenated(w, values, dim)
    dims: object = values[0]
    for value in values[1:]:
        dims = w.meeting.broadcast(dims, value)
    if not isinstance(dims, Block):
        return UNKNOWN
    rank = len(dims.dims)
    position = dim + rank + 1 if dim < 0 else dim
    if not 0 <= position <= rank:
        return UNKNOWN
    lanes = ("sized", count)
    if any(map(squeezed, dims.dims)) and position != rank:
        raise Materialise  # lanes inside a squeezed tile's block: the tile keeps its dimension
    return Block(dims.dims[:position] + (lanes,) + dims.dims[position:])


def concatenated(w: Walker, values: tuple, dim: int) -> object:
    rank = max(len(v.dims) for v in values)
    position = dim + rank if dim < 0 else dim
    if not 0 <= position < rank or any(len(v.dims) != rank for v in values):
        return UNKNOWN
    along = {v.dims[position] for v in values}
    sizes = {1 if a is None else a[1] if a[0] == "sized" else None for a in along}
    if len(sizes) != 1 or None in sizes:
        return UNKNOWN  # refused by lowering: a length known only at run time
    size = sizes.pop()
    dims: object = Block(values[0].dims[:position] + (None,) + values[0].dims[position + 1 :])
    for value in values[1:]:
        dims = w.meeting.broadcast(
            dims, Block(value.dims[:position] + (None,) + value.dims[position + 1 :])
        )
    if not isinstance(dims, Block):
        return UNKNOWN
    return Block(
        dims.dims[:position] + (("sized", len(values) * size),) + dims.dims[position + 1 :]
    )


def product(w: Walker, left: object, right: object) -> object:
    """`a @ b`: K meets K; batch dimensions broadcast; the result is (batch, M, N). A batch
    of matrices times one matrix (3-D @ 2-D) keeps the left batch, as dots.py folds it. A
    factor the analysis did not follow may hold a squeezed tile as M or N (which lowering
    cannot multiply): while the loop has one, every tile keeps its dimension."""
    if not (isinstance(left, Block) and isinstance(right, Block)):
        if w.squeezing():
            raise Materialise
        return UNKNOWN
    fold = len(left.dims) == 3 and len(right.dims) == 2
    if (
        len(left.dims) < 2
        or len(right.dims) < 2
        or (len(left.dims) != len(right.dims) and not fold)
    ):
        return UNKNOWN
    k_left, k_right = left.dims[-1], right.dims[-2]
    if (k_left is None) != (k_right is None):
        return UNKNOWN
    if any(map(squeezed, (*left.dims[-2:], *right.dims[-2:]))):
        raise Materialise  # a squeezed tile as a matrix dimension
    if k_left is not None:  # (K of 1 on both sides: an outer product)
        w.meeting.meet(k_left, k_right)
    if fold:
        return Block((*left.dims[:-1], right.dims[-1]))
    batch = w.meeting.broadcast(Block(left.dims[:-2]), Block(right.dims[:-2]))
    if not isinstance(batch, Block):
        return UNKNOWN
    return Block((*batch.dims, left.dims[-2], right.dims[-1]))


def multiplied(w: Walker, c: Call, op: ProductOp) -> object:
    """torch.matmul / mm / bmm / addmm / baddbmm and hl.dot, by their row of ops/products.py:
    the product of the factors, added to the accumulator where there is one (an out_dtype
    after them is no operand)."""
    full = c.full

    def argument(position: int, keyword: str) -> object:
        return full[position] if position < len(full) else c.keywords.get(keyword)

    nodes = [argument(p, k) for p, k in zip(op.factors, op.factor_keywords)]
    if any(n is None for n in nodes):
        return UNKNOWN
    result = product(w, w.expr(nodes[0]), w.expr(nodes[1]))
    if op.accumulator is None:
        return result
    acc = argument(op.accumulator, op.accumulator_keyword)
    return result if acc is None else w.meeting.broadcast(result, w.expr(acc))
