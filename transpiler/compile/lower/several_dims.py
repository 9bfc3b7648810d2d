"""Reductions over several dims at once: `x.sum(dim=(1, 2))`, `x.var(dim=(0, 2))`."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, conjunction, expr
from ..frontend.errors import ReductionLoopError, ShapeError, UnsupportedConstructError
from ..ops.kinds import ReductionOp
from .values import CONST, NotSqueezable, Value, block, dims_hint, is_squeezed, triton_position

if TYPE_CHECKING:
    from .reductions import Reductions


def reduce_several(
    reductions: Reductions,
    op: ReductionOp,
    value: Value,
    dim: Value,
    dim_node: cst.BaseExpression,
    keepdim: bool,
    args,
    node: cst.Call,
) -> Value:
    """`op` along each dim of the tuple `dim`. Every dim of the value: as with no dim (one
    reduction of the block); otherwise one dim after another, the highest first so the lower
    dims keep their places (a looped row's dim first of all: its chunks are accumulated)."""
    source = reductions.k.source
    if not op.several:
        raise source.error(
            UnsupportedConstructError,
            dim_node,
            f"torch's {op.name} takes one dim, not several",
            hint=f"reduce one dim at a time: .{op.name}(dim=2).{op.name}(dim=1)",
        )
    elements = [e.value for e in dim_node.elements]  # type: ignore[attr-defined]
    positions: list[int] = []
    for item, element in zip(dim.items, elements, strict=True):
        if item.kind != CONST or type(item.const) is not int:
            raise source.error(
                UnsupportedConstructError, element, "each dim must be an integer constant"
            )
        position = item.const + value.rank if item.const < 0 else item.const
        if not 0 <= position < value.rank:
            raise source.error(
                ShapeError,
                element,
                f"dim {item.const} is out of range for a {value.rank}-D value",
                hint=dims_hint(value.rank),
            )
        if position in positions:
            raise source.error(
                ShapeError, element, f"dim {item.const} appears twice", hint="name each dim once"
            )
        positions.append(position)
    if not positions:
        raise source.error(
            UnsupportedConstructError,
            dim_node,
            f"{op.name} over dim=() (torch reduces every dim, or for any / all none)",
            hint="leave out dim= to reduce every dim",
        )
    looped = [reductions.k.reduction_loops.is_looped(value.dims[p]) for p in positions]
    if len(positions) == value.rank and (op.variance or (op.whole and not any(looped))):
        return reductions.reduce_all(op, value, keepdim, args, node)
    if op.variance:
        if any(looped):
            raise source.error(
                ReductionLoopError,
                dim_node,
                f"{op.name} over several dims, one of them a looped row",
                hint="keep the row whole (reduction_loops=[None]), or reduce over it alone",
            )
        return _variance(reductions, op, value, positions, keepdim, args, node)
    done: list[int] = []
    order = sorted(range(len(positions)), key=lambda i: (not looped[i], -positions[i]))
    for i in order:
        place = positions[i] if keepdim else positions[i] - sum(p < positions[i] for p in done)
        value = reductions.along(op, value, place, elements[i], keepdim, args, node)
        done.append(positions[i])
    return value


def _variance(
    reductions: Reductions,
    op: ReductionOp,
    value: Value,
    positions: list[int],
    keepdim: bool,
    args,
    node: cst.Call,
) -> Value:
    """var / std over some of the value's dims: the mean over them (kept as size 1), then the
    squares of the lanes inside about it, summed over them, over `count - correction`."""
    k = reductions.k
    if any(is_squeezed(value.dims[p]) for p in positions):
        raise NotSqueezable("a variance over a squeezed tile")
    places = sorted((triton_position(value.dims, p) for p in positions), reverse=True)
    reduced = [value.dims[p] for p in positions]
    mask = conjunction(
        k.indexing.place_mask(axis, triton_position(value.dims, p), value.dims, node)
        for p, axis in zip(positions, reduced, strict=True)
        if axis is not None and axis.masked
    )
    counts = [reductions.axis_count(axis) for axis in reduced if axis is not None]
    count = counts[0] if counts else ast.Constant(value=1)
    for part in counts[1:]:
        count = expr("a * b", a=count, b=part)

    def summed(code: ast.expr, keep: bool) -> ast.expr:
        for place in places:
            code = expr(f"tl.sum(v, axis={place}, keep_dims={keep})", v=code)
        return code

    line = k.source.line_of(node)
    base = value.code
    if not isinstance(base, ast.Name):  # read twice: once for the mean, once for the squares
        named = k.names.fresh("values")
        k.emit(assign(named, base), line)
        base = ast.Name(id=named)
    inside = base if mask is None else expr("tl.where(m, v, 0.0)", m=mask, v=base)
    mean = k.names.fresh(f"{op.name}_mean")
    k.emit(assign(mean, expr("s / c", s=summed(inside, True), c=count)), line)
    centered = k.names.fresh("centered")
    difference = expr("v - m", v=base, m=ast.Name(id=mean))
    if mask is not None:
        difference = expr("tl.where(m, d, 0.0)", m=mask, d=difference)
    k.emit(assign(centered, difference), line)
    squares = summed(expr("c * c", c=ast.Name(id=centered)), keepdim)
    correction = reductions.correction(args)
    code = expr(
        "tl.where(n > c, s / (n - c), float('nan'))", n=count, c=correction, s=squares
    )  # no degrees of freedom left: NaN as in torch
    if op.root:
        code = expr("tl.sqrt(v)", v=code)
    kept = tuple(None if i in positions else d for i, d in enumerate(value.dims))
    dims = kept if keepdim else tuple(d for i, d in enumerate(value.dims) if i not in positions)
    return replace(block(code, dims, "float"), zero_dim_tensor=not dims)
