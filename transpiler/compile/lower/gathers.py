"""`torch.gather(block, dim, index)` in a device loop: one load per row where the block is an
element-wise function of loads (lane_loads.py), else Triton's `tl.gather` along that axis."""

from __future__ import annotations

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import ShapeError, UnsupportedConstructError
from .accumulations import hoist_gather
from .arguments import Arguments
from .lane_loads import lane_load
from .values import BLOCK, CONST, Value, block, dims_hint, is_squeezed, triton_dims, triton_position


def lower_gather(builder, value: Value, args: Arguments, node: cst.Call) -> Value:
    """The elements of `value` at `index` along `dim`: the result has the index's shape. The
    index must match the block along every other dimension (tl.gather needs equal shapes)."""
    source = builder.source
    dim_node, index_node = args.get(0, "dim"), args.get(1, "index")
    if dim_node is None or index_node is None:
        raise source.error(
            UnsupportedConstructError, node, "gather needs dim and index",
            hint="write torch.gather(block, dim, index)",
        )  # fmt: skip
    dim = builder.expressions.lower_expr(dim_node)
    if dim.kind != CONST or not isinstance(dim.const, int):
        raise source.error(UnsupportedConstructError, dim_node, "dim must be an integer constant")
    rank = value.rank
    if not -rank <= dim.const < rank:
        raise source.error(
            ShapeError,
            dim_node,
            f"dim {dim.const} is out of range for a {rank}-D block",
            hint=dims_hint(rank),
        )
    position = dim.const % rank
    index = builder.expressions.lower_expr(index_node)
    if index.kind != BLOCK or index.dtype not in ("int", None) or index.rank != rank:
        raise source.error(
            ShapeError,
            index_node,
            f"gather's index must be an integer block of the input's rank ({rank}-D)",
            hint="add the gathered dimension with [:, None], e.g. labels[tile][:, None]",
        )
    for d in range(rank):
        if d != position and index.dims[d] != value.dims[d]:
            raise source.error(
                ShapeError,
                index_node,
                f"gather's index differs from the block along dim {d}",
                hint="index with the same tiles as the block on every other dimension",
            )
    if is_squeezed(value.dims[position]) or is_squeezed(index.dims[position]):
        raise source.error(
            UnsupportedConstructError,
            dim_node,
            "gather along a tile of block size 1",
            hint="gather along a dimension loaded whole (x[tile, :])",
        )
    axis = triton_position(value.dims, position)
    one_per_row = index.dims[position] is None and value.dims[position] is not None
    if one_per_row and value.dims[position].key is not None:  # along a whole dimension
        loaded = lane_load(builder, value, index, value.dims[position], node)
        if loaded is not None:
            return block(loaded, index.dims, value.dtype)
    if builder.reduction_loops.is_looped(value.dims[position]):
        return hoist_gather(builder, value, index, (position, axis), node)
    if index.dims[position] is None and value.dims[position] is not None and value.dtype == "float":
        return block(picked_lane(value, index, axis), index.dims, value.dtype)
    code = expr(f"tl.gather(a, i, {axis})", a=value.code, i=index.code)
    return block(code, index.dims, value.dtype)


def picked_lane(value: Value, index: Value, axis: int):
    """One index per row (`labels[tile][:, None]`): the lane whose offset is the index, summed
    out of the row (one reduction; `tl.gather` along a row spread over warps copies the
    whole row through shared memory: 128 KB for a 32,768-lane float32 row)."""
    places = ["None"] * value.triton_rank
    places[axis] = ":"
    offsets = triton_dims(value.dims)[axis].offsets
    lanes = offsets if value.triton_rank == 1 else f"{offsets}[{', '.join(places)}]"
    return expr(
        f"tl.sum(tl.where({lanes} == i.to(INDEX_DTYPE), a, 0.0), axis={axis}, keep_dims=True)",
        a=value.code,
        i=index.code,
    )
