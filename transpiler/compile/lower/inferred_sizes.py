"""The -1 sizes of view / reshape / expand: the dimension of the block each one stands for."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import ShapeError
from .shape_values import int_of
from .values import Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_INFER_HINT = (
    "write the size instead of -1: a tile, tile.block_size, a host size, 1 or a power of two; "
    "merge dimensions with v.flatten(start, end)"
)


def is_minus_one(node: cst.BaseExpression) -> bool:
    return int_of(node) == -1


def kept_dims(k: KernelBuilder, value: Value, name: str, elements: list, node: cst.Call) -> dict:
    """Position of each -1 among `elements` → the block's axis it stands for (None: size 1):
    expand keeps the block's size there (right-aligned, as torch); view and reshape infer it
    where the sizes written are the block's own, in order, but one, which -1 is (or none: 1)."""
    marked = [i for i, e in enumerate(elements) if is_minus_one(e)]
    if not marked:
        return {}
    if name == "expand":
        offset = len(elements) - value.rank
        for i in marked:
            if i < offset:
                raise k.source.error(
                    ShapeError,
                    elements[i],
                    f"expand's -1 keeps a dimension of the block, and size {i} is a new one",
                    hint="write the new dimension's size: a tile, a host size, 1 or a power of two",
                )
        return {i: value.dims[i - offset] for i in marked}
    if len(marked) > 1:
        raise k.source.error(
            ShapeError, elements[marked[1]], f"{name}() infers one size of -1, not two"
        )
    [place] = marked
    written = [_dims(k, node, e) for e in elements]
    before = [d for part in written[:place] for d in part if d is not None]
    after = [d for part in written[place + 1 :] for d in part if d is not None]
    own = [d for d in value.dims if d is not None]
    left = len(own) - len(before) - len(after)
    ends = own[: len(before)] + (own[len(own) - len(after) :] if after else [])
    if left not in (0, 1) or not all(map(k.broadcasting.same_axis, ends, before + after)):
        raise k.source.error(
            ShapeError,
            elements[place],
            f"{name}()'s -1 is inferred where the other sizes are the block's own dimensions, "
            "in order, and it is the one left",
            hint=_INFER_HINT,
        )
    return {place: own[len(before)] if left else None}


def _dims(k: KernelBuilder, node: cst.Call, element: cst.BaseExpression) -> list:
    return [] if is_minus_one(element) else k.allocations.shape_of(node, [element])[0]
