"""Views of blocks by subscript: `v[:, None]` adds a size-1 dimension, `v[:, 0]` drops one."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import IndexRankError, UnsupportedConstructError
from .index_refusals import refuse_indexed_argument
from .shape_values import without_ellipsis
from .values import Axis, Value, block, is_squeezed, triton_dims

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class BlockViews:
    """`v[:, None]`, `v[None, :]`, `mx[:, 0]` of a block computed in the loop."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def view(self, value: Value, node: cst.Subscript) -> Value:
        """`v[:, None]`, `v[None, :]`: new size-1 dimensions on a block."""
        parts, dims, source_dim = [], [], 0
        for part in without_ellipsis([element.slice for element in node.slice], value.rank):
            if (
                isinstance(part, cst.Slice)
                and part.lower is None
                and part.upper is None
                and part.step is None
            ):
                if source_dim >= value.rank:
                    raise self.k.source.error(
                        IndexRankError, part, "more ':' than the value has dimensions"
                    )
                if not is_squeezed(value.dims[source_dim]):  # no Triton dimension to slice
                    parts.append(ast.Slice())
                dims.append(value.dims[source_dim])
                source_dim += 1
            elif (
                isinstance(part, cst.Index)
                and isinstance(part.value, cst.Name)
                and part.value.value == "None"
            ):
                squeezed = self.none_standing_for_a_tile(node, len(dims))
                if squeezed is not None:  # stands for a squeezed tile (the plan's): no dim
                    dims.append(squeezed)
                    continue
                parts.append(ast.Constant(value=None))
                dims.append(None)
            elif source_dim < value.rank and value.dims[source_dim] is None and _first(part):
                parts.append(ast.Slice())  # `mx[:, 0]` of a [rows, 1] block: that dim dropped
                dims.append(_DROPPED)
                source_dim += 1
            else:
                refuse_indexed_argument(self.k, node)
                raise self.k.source.error(
                    UnsupportedConstructError,
                    part,
                    "indexing a block inside the device loop",
                    hint="only ':', None (v[:, None]) and 0 of a size-1 dimension (v[:, 0] "
                    "of a [rows, 1] block) index a block; for one element of a wider "
                    "dimension index the tensor itself: x[tile, 0]",
                )
        dims.extend(value.dims[source_dim:])
        parts.extend(ast.Slice() for _ in triton_dims(value.dims[source_dim:]))
        if _DROPPED in dims:
            kept = tuple(d for d in dims if d is not _DROPPED)
            viewed = self.view_parts(value, parts, [None if d is _DROPPED else d for d in dims])
            shape = self.k.dots.block_shape(kept)
            reshaped = block(expr("tl.reshape(a, s)", a=viewed.code, s=shape), kept, value.dtype)
            return replace(reshaped, index_lanes=value.index_lanes)
        return self.view_parts(value, parts, dims)

    def view_parts(self, value: Value, parts: list, dims: list) -> Value:
        """The value subscripted by Triton `parts` (slices and Nones), of these dims."""
        if any(map(is_squeezed, dims)) and all(isinstance(p, ast.Slice) for p in parts):
            viewed = block(value.code, tuple(dims), value.dtype)  # only squeezed tiles were named
            return replace(viewed, index_lanes=value.index_lanes)
        code = ast.Subscript(
            value=value.code, slice=ast.Tuple(elts=parts) if len(parts) > 1 else parts[0]
        )
        return replace(block(code, tuple(dims), value.dtype), index_lanes=value.index_lanes)

    def none_standing_for_a_tile(self, node: cst.CSTNode, position: int) -> Axis | None:
        """The squeezed tile a view's `None` at `position` stands for, where the plan says so
        (shapes.py's none_tiles) and that tile is squeezed (else the None is a plain new dim)."""
        tile = self.k.none_tiles.get((id(node), position))
        if tile is None:
            return None
        return next((a for a in self.k.all_axes if a.squeezed and a.label == tile), None)


_DROPPED = object()  # a size-1 dimension an index of 0 takes out (`mx[:, 0]`)


def _first(part: cst.BaseSlice) -> bool:
    """An index of 0 or -1: the one element of a size-1 dimension."""
    if not isinstance(part, cst.Index):
        return False
    value = part.value
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return isinstance(value.expression, cst.Integer) and value.expression.value == "1"
    return isinstance(value, cst.Integer) and value.value == "0"
