"""The shape analysis' meetings: where two values' dimensions are one axis, recorded as facts."""

from __future__ import annotations

from dataclasses import dataclass, field

from .shape_values import UNKNOWN, Block, Dim, Materialise, Tile


@dataclass
class ShapeFacts:
    """What lowering's shapes will show: whole dimensions that meet (`unified`: pairs of size
    keys, as a run finds them), view `None`s that meet a squeezed tile (`none_tiles`), and
    whether block-size-1 tiles can go without a Triton dimension (`squeeze_units`), and the
    tiles one value holds on several axes (`tile_axes`: `x[tile, idx[tile]]` is a [tile, tile]
    block; label → the most axes one value gives it, 2 or more)."""

    unified: set[tuple[str, str]] = field(default_factory=set)
    none_tiles: dict[tuple[int, int], str] = field(default_factory=dict)
    squeeze_units: bool = True
    tile_axes: dict[str, int] = field(default_factory=dict)

    def record_axes(self, dims: tuple) -> None:
        """A value's dimensions: a tile on several of them materialises its block that many
        times over (a squeezed tile has one lane: no block to cap)."""
        labels = [d[1] for d in dims if d is not None and d[0] == "tile" and not d[2]]
        for label in set(labels):
            if (count := labels.count(label)) > 1:
                self.tile_axes[label] = max(count, self.tile_axes.get(label, 1))


class Meeting:
    """Meets dimensions as lowering's axes will (broadcasting.same_axis, values.check_squeezable)
    and records what follows in `facts`."""

    def __init__(self, facts: ShapeFacts) -> None:
        self.facts = facts

    def broadcast(self, left: object, right: object) -> object:
        """Element-wise: right-aligned dimensions meet; the result spans the left's axes."""
        if isinstance(left, Tile) or isinstance(right, Tile):
            return UNKNOWN
        if not (isinstance(left, Block) and isinstance(right, Block)):
            return UNKNOWN
        if not self.squeezable(left, right):
            return UNKNOWN
        rank = max(len(left.dims), len(right.dims))
        a = (None,) * (rank - len(left.dims)) + left.dims
        b = (None,) * (rank - len(right.dims)) + right.dims
        dims = []
        for x, y in zip(a, b):
            if x is not None and y is not None:
                self.meet(x, y)
            dims.append(x if x is not None else y)
        return Block(tuple(dims))

    def squeezable(self, first: Block, second: Block) -> bool:
        """values.check_squeezable: a view's `None` against a squeezed tile stands for it."""
        for holder, other in ((first, second), (second, first)):
            for back in range(1, min(len(holder.dims), len(other.dims)) + 1):
                tile = other.dims[-back]
                if (
                    holder.dims[-back] is None
                    and tile is not None
                    and tile[0] == "tile"
                    and tile[2]
                ):
                    position = len(holder.dims) - back
                    if holder.nones is None or position not in holder.nones[1]:
                        raise Materialise
                    self.facts.none_tiles.setdefault((holder.nones[0], position), tile[1])
        return True

    def meet(self, x: Dim, y: Dim) -> None:
        """broadcasting.same_axis: two whole dimensions, or one and a number of lanes, are one."""
        if x == y or x[0] == "tile" or y[0] == "tile":
            return
        if x[0] == "whole" and y[0] == "whole":
            self.facts.unified.add(tuple(sorted((x[1], y[1]))))
        elif {x[0], y[0]} == {"whole", "sized"}:
            whole, sized = (x, y) if x[0] == "whole" else (y, x)
            if not whole[1].isdigit():
                self.facts.unified.add(tuple(sorted((whole[1], str(sized[1])))))
