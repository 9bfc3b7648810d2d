"""Broadcasting of two values' axes, torch's rules: which axes are one, which broadcast."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import ShapeError
from .values import Axis, Dims, Value, check_squeezable, one_index

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class Broadcasting:
    """Whether two axes are one (`same_axis`) and the axes two values broadcast to."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def broadcast_dims(self, left: Value, right: Value, node: cst.CSTNode) -> Dims:
        return self.broadcast_dims_value(left, right, node)

    def broadcast_dims_value(self, left: Value, right: Value, node: cst.CSTNode) -> Dims:
        """torch's broadcasting of two values' axes, right-aligned; mismatched axes are an error."""
        a, b = left.dims, right.dims
        check_squeezable(left, right)
        rank = max(len(a), len(b))
        a = (None,) * (rank - len(a)) + a
        b = (None,) * (rank - len(b)) + b
        result = []
        for x, y in zip(a, b):
            if x is None or y is None or self.same_axis(x, y):
                result.append(self.k.registered_blocks.pick_axis(x, y))
            elif self.broadcasts_one_lane(x) or self.broadcasts_one_lane(y):
                result.append(y if one_index(x) else x)  # x[t, 2:3] + x[t, :]: as torch
            else:
                raise self.k.source.error(
                    ShapeError,
                    node,
                    f"cannot broadcast {x.label} against {y.label}{_lengths(x, y)}",
                    hint="values combined element-wise must share their tile axes; "
                    "add a dimension with [:, None] for an outer product"
                    if x.reach is None or y.reach is None
                    else "slice both to one length",
                )
        return tuple(result)

    def same_axis(self, x: Axis, y: Axis) -> bool:
        """Whether two axes are one; two whole dimensions are, once the launcher checks sizes."""
        if x is y:
            return True
        if x.block_var or y.block_var:  # block_size_n's lanes and a tile of that block size
            return x.block == y.block
        if x.reach is not None or y.reach is not None:  # x[t, 0:7] and x[t, 2:9] (or out[t, :])
            return self.same_slice_length(x, y)
        if x.size is not None or y.size is not None:
            return self.same_size(x, y)
        if self.k.whole_axes.is_full_axis(x) and self.k.whole_axes.is_full_axis(y):
            self.k.unified.add(tuple(sorted((x.key, y.key))))
            return True
        return False

    def same_slice_length(self, x: Axis, y: Axis) -> bool:
        """Two constant slices of one length are one axis, lane j of each its start + j, once
        the launcher checks that each ends inside its tensor (torch would clip one: a length
        that differs). A whole dimension of that size is one too, the launcher checking it."""
        sliced, other = (x, y) if x.reach is not None else (y, x)
        if other.reach is None and not self.k.whole_axes.is_full_axis(other):
            return False
        if sliced.reach[3] == 1 and other.reach is None:  # one index: torch broadcasts it
            return False
        if other.reach is None:
            length = str(sliced.reach[3])
            if other.key.isdigit():  # a literal host size (torch.empty([m, 4]))
                return other.key == length and self._slices_inside(sliced)
            self.k.unified.add(tuple(sorted((other.key, length))))
            return self._slices_inside(sliced)
        return sliced.reach[3] == other.reach[3] and self._slices_inside(sliced, other)

    def broadcasts_one_lane(self, axis: Axis) -> bool:
        """A one-index slice (`x[t, 2:3]`, values.one_index) broadcasts against any length, as
        torch's size-1 dimension does, once the launcher checks that its index lies inside."""
        return one_index(axis) and self._slices_inside(axis)

    def _slices_inside(self, *slices: Axis) -> bool:
        """The launcher checks that each slice ends inside its tensor: True."""
        self.k.slice_ends.update(axis.reach[:3] for axis in slices)
        return True

    def same_size(self, x: Axis, y: Axis) -> bool:
        """A dimension of known size matches one of the same size, or a whole host dimension
        once the launcher checks that the host size is that number."""
        sized, other = (x, y) if x.size is not None else (y, x)
        if other.size is not None:
            return other.size == sized.size
        if self.k.whole_axes.is_full_axis(other):
            if other.key.isdigit():  # a literal host size (torch.empty([4, n]))
                return int(other.key) == sized.size
            self.k.unified.add(tuple(sorted((other.key, str(sized.size)))))
            return True
        return False


def _lengths(x: Axis, y: Axis) -> str:
    """`: 4 and 5 indices` for two constant slices of different lengths; else nothing."""
    if x.reach is None or y.reach is None:
        return ""
    return f" ({x.reach[3]} and {y.reach[3]} indices)"
