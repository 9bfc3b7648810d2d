"""The shape analysis' rules for hl calls, by the hl table's shape column (shapes.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.signatures import HL_SIGNATURES
from ..ops.products import LANGUAGE_PRODUCTS_BY_NAME
from ..ops.table import REDUCTIONS_BY_NAME
from .shape_stacks import multiplied
from .shape_subscripts import listed_access
from .shape_torch import allocation, host_size_key, reduction
from .shape_values import UNKNOWN, Block, Call, Items, Tile, power_of_two

if TYPE_CHECKING:
    from .shapes import Walker


def passthrough(w: Walker, c: Call) -> object:
    """hl.specialize(v), hl.register_reduction_dim(n): the argument itself."""
    value = next(iter(c.keywords.values()), None)
    return UNKNOWN if value is None else w.expr(value)


def dotted(w: Walker, c: Call) -> object:
    """hl.dot(mat1, mat2, acc=...): its row of ops/products.py."""
    return multiplied(w, c, LANGUAGE_PRODUCTS_BY_NAME[c.name])


def allocate(w: Walker, c: Call) -> object:
    """hl.zeros / hl.full: a block of the shape written out."""
    shape = c.arg("shape")
    return UNKNOWN if shape is None else allocation(w, shape)


def lanes(w: Walker, c: Call) -> object:
    """hl.arange(tile.block_size): the tile's lanes; hl.arange(4): four lanes; hl.arange(n) of a
    host size: its whole dimension."""
    end = c.positional[0] if len(c.positional) == 1 else None
    if isinstance(end, cst.Attribute) and end.attr.value == "block_size":
        tile = w.expr(end.value)
        if isinstance(tile, Tile):
            return Block((("tile", tile.label, tile.squeezed),))
    if isinstance(end, cst.Integer) and power_of_two(end.evaluated_value):
        return Block((("sized", end.evaluated_value),))  # hl.arange(4)
    key = None if end is None or isinstance(end, cst.Integer) else host_size_key(w, end)
    if key is not None:  # hl.arange(n): the whole dimension of size n, as x[tile, :]'s
        return Block((("whole", key),))
    return UNKNOWN


def halves(w: Walker, c: Call) -> object:
    """hl.split: the last dimension is two lanes; two halves without it."""
    node = c.arg("tensor")
    value = UNKNOWN if node is None else w.expr(node)
    if not isinstance(value, Block) or not value.dims or value.dims[-1] is None:
        return UNKNOWN
    w.meeting.meet(("sized", 2), value.dims[-1])
    half = Block(value.dims[:-1])
    return Items((half, half))


def pair(w: Walker, c: Call) -> object:
    """hl.join: two blocks broadcast, and a new last dimension of two lanes."""
    first, second = c.arg("tensor0"), c.arg("tensor1")
    if first is None or second is None:
        return UNKNOWN
    value = w.meeting.broadcast(w.expr(first), w.expr(second))
    return Block((*value.dims, ("sized", 2))) if isinstance(value, Block) else UNKNOWN


def combined(w: Walker, c: Call) -> tuple[list[Block], bool] | None:
    """hl.reduce / hl.associative_scan's inputs (and whether they are a tuple): a tuple's
    blocks meet position by position."""
    node = c.arg("input_tensor")
    value = UNKNOWN if node is None else w.expr(node)
    inputs = list(value.items) if isinstance(value, Items) else [value]
    if not all(isinstance(v, Block) for v in inputs):
        return None
    first = inputs[0]
    for other in inputs[1:]:
        if len(other.dims) == len(first.dims):
            for a, b in zip(first.dims, other.dims):
                if a is not None and b is not None:
                    w.meeting.meet(a, b)
    return inputs, isinstance(value, Items)


def reduce_with(w: Walker, c: Call) -> object:
    """hl.reduce(fn, x, dim): each input reduced along dim."""
    found = combined(w, c)
    if found is None:
        return UNKNOWN
    results = [reduction(w, v, c.arg("dim"), c.arg("keep_dims")) for v in found[0]]
    return Items(tuple(results)) if found[1] else results[0]


def scan_with(w: Walker, c: Call) -> object:
    """hl.associative_scan(fn, x, dim): each input keeps its shape."""
    found = combined(w, c)
    if found is None:
        return UNKNOWN
    results = [Block(v.dims) for v in found[0]]
    return Items(tuple(results)) if found[1] else results[0]


def running(w: Walker, c: Call) -> object:
    """hl.cumsum / hl.cumprod: the op table's scan of the same name."""
    node = c.arg("input_tensor")
    value = UNKNOWN if node is None else w.expr(node)
    if not isinstance(value, Block):
        return UNKNOWN
    return reduction(w, value, c.arg("dim"), None, REDUCTIONS_BY_NAME.get(c.name))


def read(w: Walker, c: Call) -> object:
    """hl.load(tensor, [index...]): as tensor[index...] (its Nones never stand for a tile:
    lowering builds that subscript anew each time)."""
    dims = listed_access(w, c.arg("tensor"), c.arg("index"))
    return UNKNOWN if dims is None else Block(dims)


def write(w: Walker, c: Call) -> object:
    """hl.store(tensor, [index...], value): the value meets the target's dimensions."""
    dims = listed_access(w, c.arg("tensor"), c.arg("index"))
    if dims is not None and c.arg("value") is not None:
        w.meet_stored(w.expr(c.arg("value")), dims)
    return UNKNOWN


def update(w: Walker, c: Call) -> object:
    """hl.atomic_*(target, [index...], operand): the operand (the row's third parameter, as
    memory.py reads it) meets the target's dimensions; the old values have them."""
    dims = listed_access(w, c.arg("target"), c.arg("index"))
    operand = c.arg(HL_SIGNATURES[c.name].positional[2])
    if dims is None:
        return UNKNOWN
    if operand is not None:
        w.meet_stored(w.expr(operand), dims)
    return Block(dims)
