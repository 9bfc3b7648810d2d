"""Lowering of sort, argsort, msort, topk, flip, cummax, cummin and logcumsumexp along a
whole-row block (`x[tile, :]`; the scans along a tile too): sorts through one int64 key per
lane (prelude_orderings.py)."""

from __future__ import annotations

import ast

import libcst as cst

from ..emit.codegen import assign, expr
from ..frontend.errors import ShapeError, UnsupportedConstructError, UnsupportedOpError
from ..ops.table_orderings import ORDERING_OPS_BY_NAME, OrderingOp
from .arguments import Arguments
from .values import (
    TUPLE,
    Axis,
    NotSqueezable,
    Value,
    block,
    dims_hint,
    is_squeezed,
    sized_axis,
    triton_dims,
    triton_position,
)

# Forms that run along a tile, restarting at each (as torch.cumsum on a tile does): a forward
# scan's lanes past the tensor's end come after every lane inside it, so they change none of
# them, and its indices count from the tile's first lane (torch's, on the tile's slice). Sorts,
# top-k and flips order the whole row: refused along a tile.
_PER_TILE = frozenset({"running", "log_running"})
_WHOLE_ROW_HINT = "load the whole row with `:` for that dimension: x[tile_m, :]"


def lower_ordering(builder, name: str, value: Value, args: Arguments, node: cst.Call) -> Value:
    """A row of ops/table_orderings.py on `value`, its arguments bound by torch's names where
    the row says, lowered by the row's form."""
    op = ORDERING_OPS_BY_NAME[name]
    dim_node = args.get(op.dim, op.dim_keyword) if op.dim is not None else None
    if dim_node is None and op.dim_default is None:
        raise builder.source.error(UnsupportedOpError, node, f"{name}() needs {op.dim_keyword}=")
    dim = op.dim_default if dim_node is None else _dim(builder, dim_node, op, node)
    axis, where = _row_axis(builder, value, dim, dim_node or node, name, op.form)
    if op.form == "reverse":
        return _flip(builder, value, axis, where)
    if op.form == "running":
        return _running_extreme(builder, op, value, axis, where, node)
    if op.form == "log_running":
        return _logcumsumexp(builder, value, where)
    descending = _flag(builder, args, "descending", op.descending)
    if op.form == "top":
        return _topk(builder, value, axis, where, args, node)
    keys = _sorted_keys(builder, value, axis, where, descending, None, node)
    values, indices = _unpacked(builder, keys, value, value.dims, descending)
    if op.result == "indices":
        return indices
    if op.result == "values":
        return values
    return Value(TUPLE, items=(values, indices))


def _dim(builder, dim_node: cst.BaseExpression, op: OrderingOp, node: cst.Call) -> int:
    """The dim (flip's dims: a list or tuple of one, or an int)."""
    if op.dim_keyword == "dims" and isinstance(dim_node, (cst.List, cst.Tuple)):
        if len(dim_node.elements) != 1:
            raise builder.source.error(
                UnsupportedConstructError,
                dim_node,
                "flipping several dims at once",
                hint="flip one dim at a time: torch.flip(torch.flip(v, [0]), [1])",
            )
        dim_node = dim_node.elements[0].value
    return builder.views.const_int(dim_node, node)


def _row_axis(builder, value: Value, dim: int, dim_node, name: str, form: str) -> tuple[Axis, int]:
    """The axis along `dim` (a whole dimension or one of known size; a tile for a running
    scan, which restarts at each tile as torch.cumsum does) and its Triton position."""
    rank = value.rank
    position = dim + rank if dim < 0 else dim
    if not 0 <= position < rank:
        raise builder.source.error(
            ShapeError,
            dim_node,
            f"dim {dim} is out of range for a {rank}-D value",
            hint=dims_hint(rank),
        )
    axis = value.dims[position]
    if is_squeezed(axis):
        raise NotSqueezable(f"{name} along a squeezed tile")
    if axis is None:
        raise builder.source.error(
            UnsupportedConstructError,
            dim_node,
            f"{name} along a dimension of size 1: the result is the value itself",
            hint="leave the call out",
        )
    if axis.size is None and not builder.whole_axes.is_full_axis(axis) and form not in _PER_TILE:
        raise builder.source.error(
            UnsupportedConstructError,
            dim_node,
            f"torch.{name} along the tile {axis.label}: a tile holds only part of the row, "
            "and torch orders the whole row",
            hint=_WHOLE_ROW_HINT,
        )
    return axis, triton_position(value.dims, position)


def _flag(builder, args: Arguments, keyword: str, position: int | None) -> bool:
    node = args.keywords.get(keyword)
    if node is None and position is not None and position < len(args.positional):
        node = args.positional[position]
    return node is not None and bool(builder.expressions.lower_expr(node).const)


def _index(axis: Axis, where: int, rank: int) -> ast.expr:
    """The lane numbers 0, 1, ... along the axis, placed at Triton dimension `where`."""
    lanes = ast.Constant(value=axis.size) if axis.size is not None else ast.Name(id=axis.block)
    code = expr("tl.arange(0, b)", b=lanes)
    if rank <= 1:
        return code
    parts = [ast.Slice() if i == where else ast.Constant(value=None) for i in range(rank)]
    return ast.Subscript(value=code, slice=ast.Tuple(elts=parts))


def _permutations(where: int, rank: int) -> tuple[list[int], list[int]]:
    """The order that moves dimension `where` last (tl.sort sorts the last one), and back."""
    order = [d for d in range(rank) if d != where] + [where]
    return order, [order.index(d) for d in range(rank)]


def _along_last(code: ast.expr, order: list[int]) -> ast.expr:
    if order == sorted(order):
        return code
    return expr("tl.permute(v, o)", v=code, o=ast.Tuple(elts=[ast.Constant(d) for d in order]))


def _sorted_keys(
    builder, value: Value, axis: Axis, where: int, descending: bool, k: int | None, node
) -> ast.Name:
    """sort_keys of the value sorted along the axis (the first k of them), in a named block."""
    builder.use_helper("sort_keys")
    line = builder.source.line_of(node)
    for tensor in sorted(value.loaded_from):  # 64-bit values do not fit a key with the lane
        message = (
            f'f"line {line}: sorts inside a device loop take 32-bit values or narrower: '
            f'{tensor} is {{{tensor}.dtype}} (sort it on the host)"'
        )
        builder.argument_checks.append(
            f"require({tensor}.element_size() <= 4, {message}, TypeError)"
        )
    rank = len(triton_dims(value.dims))
    mask = builder.reductions.reduction_mask(axis, where, value.dims, node)
    keys = expr(
        "sort_keys(v, i, m, d)",
        v=value.code,
        i=_index(axis, where, rank),
        m=mask if mask is not None else ast.Constant(True),
        d=ast.Constant(descending),
    )
    order, back = _permutations(where, rank)
    keys = _along_last(keys, order)
    if k is None:
        ordered = expr("tl.sort(v, dim=a)", v=keys, a=rank - 1)
    else:  # tl.topk keeps the largest: negate the keys to keep the first k in sort order
        ordered = expr("-tl.topk(-v, k, dim=a)", v=keys, k=k, a=rank - 1)
    name = builder.names.fresh("sorted_keys")
    builder.emit(assign(name, _along_last(ordered, back)), builder.source.line_of(node))
    return ast.Name(id=name)


def _unpacked(builder, keys: ast.Name, value: Value, dims, descending: bool) -> tuple:
    builder.use_helper("key_values")
    builder.use_helper("key_indices")
    values = expr("key_values(s, v, d)", s=keys, v=value.code, d=ast.Constant(descending))
    indices = expr("key_indices(s)", s=keys)
    return block(values, dims, value.dtype), block(indices, dims, "int")


def _topk(builder, value: Value, axis: Axis, where: int, args: Arguments, node) -> Value:
    """torch.topk(v, k, dim, largest, sorted) with k a power of two: the first k of a sort."""
    k_node = args.get(0, "k")
    k = builder.views.const_int(k_node, node)
    if k < 1 or k & (k - 1):
        raise builder.source.error(
            UnsupportedConstructError,
            k_node,
            f"topk with k={k}: inside a device loop k is a power of two (the block's lanes)",
            hint=f"take topk with k={1 << max(k - 1, 0).bit_length()} and store its first "
            f"{k} columns, or torch.topk on the host",
        )
    largest = args.get(2, "largest")
    descending = largest is None or bool(builder.expressions.lower_expr(largest).const)
    if axis.size is not None and axis.size < k or axis.size is None and axis.key is None:
        raise builder.source.error(ShapeError, k_node, f"k={k} is more than the row's lanes")
    if axis.size is None:  # the launcher checks the row's length (torch raises too)
        size = builder.params[builder.size_param(axis.key)].launch
        message = f"line {builder.source.line_of(node)}: topk's k={k} is more than {size}"
        builder.argument_checks.append(f'require({size} >= {k}, lambda: "{message}")')
    dims = list(value.dims)
    dims[value.dims.index(axis)] = sized_axis(k, f"the {k} of topk")
    keys = _sorted_keys(builder, value, axis, where, descending, k, node)
    values, indices = _unpacked(builder, keys, value, tuple(dims), descending)
    return Value(TUPLE, items=(values, indices))


def _flip(builder, value: Value, axis: Axis, where: int) -> Value:
    rank = len(triton_dims(value.dims))
    builder.use_helper("flip_row")
    code = expr(
        "flip_row(v, i, c, a)",
        v=value.code,
        i=_index(axis, where, rank),
        c=builder.reductions.axis_count(axis),
        a=where,
    )
    return block(code, value.dims, value.dtype)


def _running_extreme(builder, op: OrderingOp, value: Value, axis: Axis, where: int, node) -> Value:
    """cummax / cummin: (values, indices) through tl.associative_scan of (value, lane), combined
    by the row's helper."""
    rank = len(triton_dims(value.dims))
    builder.use_helper(op.combine)
    lanes = expr(
        "tl.broadcast_to(i, v.shape).to(tl.int64)", i=_index(axis, where, rank), v=value.code
    )
    scanned = expr(
        "tl.associative_scan((v, i), axis=a, combine_fn=f)",
        v=value.code,
        i=lanes,
        a=where,
        f=ast.Name(id=op.combine),
    )
    result = builder.names.fresh(op.name)
    builder.emit(assign(result, scanned), builder.source.line_of(node))
    values = block(expr(f"{result}[0]"), value.dims, value.dtype)
    return Value(TUPLE, items=(values, block(expr(f"{result}[1]"), value.dims, "int")))


def _logcumsumexp(builder, value: Value, where: int) -> Value:
    builder.use_helper("logaddexp")
    code = expr(
        "tl.associative_scan(v, axis=a, combine_fn=logaddexp)",
        v=_as_float(builder, value),
        a=where,
    )
    return block(code, value.dims, "float")


def _as_float(builder, value: Value) -> ast.expr:
    if value.dtype == "float":
        return value.code
    builder.use_helper("as_float")
    return expr("as_float(v)", v=value.code)
