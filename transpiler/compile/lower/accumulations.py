"""A reduction along a looped dimension as running accumulators: sums, extremes, online softmax."""

from __future__ import annotations

import ast

import libcst as cst

from ..emit.codegen import expr, render
from ..frontend.errors import ReductionLoopError
from ..ops.table import REDUCTIONS_BY_NAME
from .reduction_loops import MARK, Accumulation, read_names
from .values import TUPLE, Value, block, triton_dims
from .welford_rows import lane_counts


def hoist_reduction(
    builder, name: str, value: Value, mask, position: int, keepdim: bool, dims, args, node
) -> Value:
    """The reduction as accumulations (their loops placed by reduction_loops.restructure); the
    value it gives after the loop."""
    op = REDUCTIONS_BY_NAME[name]
    if op.looped is None or (value.dtype == "int" and op.looped != "sums"):
        raise builder.source.error(
            ReductionLoopError, node, f"{name} along a dimension walked in chunks"
        )
    # an extreme's or an arg's tl function and identity (tl.max / -inf, tl.argmin / inf)
    best_kind, identity = op.triton.removeprefix("tl.").removeprefix("arg"), op.identity
    if value.dtype is None:  # the launcher requires float tensors along the row (below)
        builder.reduction_loops.unsure_lines.add(builder.source.line_of(node))
    with_indices = op.indices and args.get(0, "dim") is not None
    base = _base_name(builder, node, name)
    operand = render(value.code)
    operand_dims = triton_dims(value.dims)
    kept = ["1" if i == position else _block(d) for i, d in enumerate(operand_dims)]
    shape = f"[{', '.join(kept)}]"
    floats = float_lanes(builder, value)
    accumulate = floats if value.dtype != "int" else "tl.int64"

    def chunk(identity: str) -> str:
        return operand if mask is None else f"tl.where({render(mask)}, {operand}, {identity})"

    def finish(code: str) -> ast.expr:
        if keepdim or op.keeps_shape:
            return expr(code)
        dropped = [k for i, k in enumerate(kept) if i != position]
        if not dropped:
            return expr(f"tl.sum({code}, axis=0)")  # one lane: its value
        return expr(f"tl.reshape({code}, [{', '.join(dropped)}])")

    axis_at = f"axis={position}, keep_dims=True"
    # lane-wise accumulators: each lane keeps its own running value across the chunks and one
    # reduction after the loop finishes them (a reduction per chunk crosses warps each time)
    lanes = f"[{', '.join(_block(d) for d in operand_dims)}]"
    fresh = builder.names.fresh
    line = builder.source.line_of(node)
    count = render(builder.reductions.axis_count(builder.reduction_loops.looped.axis))
    if op.looped == "sums":
        total, partial = fresh(f"{base}_sum"), fresh(f"{base}_sums")
        init, after = (
            [f"{partial} = tl.zeros({lanes}, {accumulate})"],
            [f"{total} = tl.sum({partial}, {axis_at})"],
        )
        _add(builder, total, init, [f"{partial} += {chunk('0')}"], line, after)
        if accumulate == floats:  # may join the loop of a max it reads (online_rows.py)
            online = {
                "kind": "sum",
                "lanes": partial,
                "add": chunk("0"),
                "operand": operand,  # (welford_rows.py: a sum of squared deviations joins)
                "mask": None if mask is None else render(mask),
                "count": count,
                "position": position,
                "shape": lanes,
                "floats": floats,
                "init": init,
                "after": after,
                "result": total,
            }
            builder.reduction_loops.accumulations[total].online = online
        if not op.divided:
            return block(finish(total), dims, value.dtype)
        return block(finish(f"{total} / {count}"), dims, "float")
    if op.looped == "welford":  # one read of the row: Welford's running mean and squares
        builder.use_helper("welford_combine")
        mean, squares, seen = fresh(f"{base}_mean"), fresh(f"{base}_m2"), fresh(f"{base}_count")
        lane_mean, lane_squares, lane_seen = (fresh(f"{n}s") for n in (mean, squares, seen))
        diff, weight = fresh(f"{base}_diff"), fresh(f"{base}_weight")
        looped = builder.reduction_loops.looped
        start, block_size = looped.start, looped.axis.block
        diff_code = f"{operand} - {lane_mean}"
        if mask is not None:
            diff_code = f"tl.where({render(mask)}, {diff_code}, 0.0)"
        correction = _correction(builder, args)
        _add(builder, squares,
             [f"{lane_mean} = tl.zeros({lanes}, {floats})",
              f"{lane_squares} = tl.zeros({lanes}, {floats})"],
             [f"{weight} = tl.full([], 1.0, {lane_mean}.dtype) / ({start} // {block_size} + 1)  # its share",
              f"{diff} = {diff_code}",
              f"{lane_mean} += {diff} * {weight}",
              f"{lane_squares} += {diff} * ({diff} - {diff} * {weight})"],
             line,
             [f"{lane_seen} = {lane_counts(lanes, position, looped.size, block_size, floats)}",
              f"{mean}, {squares}, {seen} = tl.reduce(({lane_mean}, {lane_squares}, {lane_seen}), "
              f"{position}, welford_combine, keep_dims=True)"])  # fmt: skip
        variance = (
            f"tl.where({count} > {correction}, {squares} / ({count} - {correction}), float('nan'))"
        )
        if op.root:
            variance = f"tl.sqrt({variance})"
        return block(finish(variance), dims, "float")
    if op.looped == "extremes" and not with_indices:
        kind = best_kind
        best, lane_best = fresh(f"{base}_{kind}"), fresh(f"{base}_{kind}s")
        builder.use_helper(op.nan)  # NaN kept, as torch keeps it (tl.max / tl.maximum drop it)
        _add(builder, best, [f'{lane_best} = tl.full({lanes}, float("{identity}"), {floats})'],
             [f"{lane_best} = tl.{kind}imum({lane_best}, {chunk(_inf(identity))}, "
              "propagate_nan=tl.PropagateNan.ALL)"], line,
             [f"{best} = {op.nan}({lane_best}, {axis_at})"])  # fmt: skip
        if kind == "max":
            online = {
                "kind": "max",
                "result": best,
                "chunk": chunk(_inf(identity)),
                "shape": shape,
                "axis_at": axis_at,
                "floats": floats,
            }
            builder.reduction_loops.accumulations[best].online = online
        return block(finish(best), dims, value.dtype)
    if op.looped == "best" or with_indices:  # per chunk: lanes would lose the first equal value
        kind = best_kind
        best, index = fresh(f"{base}_{kind}"), fresh(f"{base}_index")
        chunk_best, chunk_index = fresh(f"chunk_{kind}"), fresh("chunk_index")
        better = fresh("better")
        compare = ">" if kind == "max" else "<"
        start = builder.reduction_loops.looped.start
        masked = chunk(_inf(identity))
        builder.use_helper(f"{kind}_index_nan")  # a NaN wins, its first index (as torch)
        _add(builder, best,
             [f'{best} = tl.full({shape}, float("{identity}"), {floats})',
              f"{index} = tl.zeros({shape}, INDEX_DTYPE)"],
             [f"{chunk_best}, {chunk_index} = {kind}_index_nan({masked}, {axis_at})",
              f"{chunk_index} = ({chunk_index} + {start}).to(INDEX_DTYPE)",
              f"{better} = ({chunk_best} {compare} {best}) | (({chunk_best} != {chunk_best}) & "
              f"({best} == {best}))  # strictly (the first of equals); a first NaN wins",
              f"{best} = tl.where({better}, {chunk_best}, {best})",
              f"{index} = tl.where({better}, {chunk_index}, {index})"],
             line)  # fmt: skip
        indices = block(finish(index), dims, "int")
        if with_indices:
            return Value(TUPLE, items=(block(finish(best), dims, value.dtype), indices))
        return indices
    # online: a running maximum per row (one reduction a chunk) and each lane's sum of
    # exponentials, rescaled whenever the maximum grows; the lanes summed after the loop
    top, total, lane_total = fresh(f"{base}_max"), fresh(f"{base}_sum"), fresh(f"{base}_sums")
    chunk_name, new_top = fresh(f"{base}_chunk"), fresh(f"{base}_new_max")
    _add(builder, top,
         [f'{top} = tl.full({shape}, float("-inf"), {floats})',
          f"{lane_total} = tl.zeros({lanes}, {floats})"],
         [f'{chunk_name} = {chunk(_inf("-inf"))}',
          f"{new_top} = tl.maximum({top}, tl.max({chunk_name}, {axis_at}))",
          f"{lane_total} = {lane_total} * tl.exp({top} - {new_top}) + tl.exp({chunk_name} - {new_top})",
          f"{top} = {new_top}"],
         line, [f"{total} = tl.sum({lane_total}, {axis_at})"])  # fmt: skip
    if name == "logsumexp":
        return block(finish(f"{top} + tl.log({total})"), dims, "float")
    if name == "softmax":
        return block(expr(f"tl.exp({operand} - {top}) / {total}"), value.dims, "float")
    return block(expr(f"{operand} - {top} - tl.log({total})"), value.dims, "float")


def hoist_gather(builder, value: Value, index: Value, positions: tuple[int, int], node) -> Value:
    """`torch.gather(row, dim, index)` along the looped dimension, one index per row: the
    chunk holding it contributes its element, the others 0. `positions`: dim's torch and
    Triton positions (squeezed tiles have no Triton dimension)."""
    axis = builder.reduction_loops.looped.axis
    torch_position, position = positions
    if index.dims[torch_position] is not None:
        raise builder.source.error(
            ReductionLoopError, node, "a gather of several elements per row along a looped row"
        )
    dims = triton_dims(value.dims)
    places = ["None"] * len(dims)
    places[position] = ":"
    offsets = axis.offsets if len(dims) == 1 else f"{axis.offsets}[{', '.join(places)}]"
    if value.dtype is None:
        builder.reduction_loops.unsure_lines.add(builder.source.line_of(node))
    picked, lanes = builder.names.fresh("gathered"), builder.names.fresh("gathered_lanes")
    accumulate = float_lanes(builder, value) if value.dtype != "int" else "tl.int64"
    # the index in the offsets' type (INDEX_DTYPE): an int64 label would widen every lane's
    # compare to 64 bits (an index past 2**31 is outside the row, as torch would refuse)
    match = f"{offsets} == ({render(index.code)}).to(INDEX_DTYPE)"
    shape = ", ".join(_block(d) for d in dims)
    _add(builder, picked, [f"{lanes} = tl.zeros([{shape}], {accumulate})"],
         [f"{lanes} += tl.where({match}, {render(value.code)}, 0)"],
         builder.source.line_of(node),
         [f"{picked} = tl.sum({lanes}, axis={position}, keep_dims=True)"])  # fmt: skip
    return block(ast.Name(id=picked), index.dims, value.dtype)


def float_lanes(builder, value: Value) -> str:
    """The float dtype of a looped row's lanes: float64 where a tensor the value reads holds
    float64 (its sums as torch's; float32 lanes would also change type in the loop, which
    Triton's GPU compiler refuses), else float32. A value whose tensors are not tracked (an
    exponential of a difference) asks of each tensor the kernel has read so far."""
    pointers = [builder.tensor_pointer(tensor) for tensor in sorted(value.loaded_from)]
    if not pointers:
        pointers = [p.name for p in builder.params.values() if p.kind == "tensor"]
    if not pointers:
        return "tl.float32"
    wide = " or ".join(f"{pointer}.dtype.element_ty == tl.float64" for pointer in pointers)
    return f"tl.float64 if {wide} else tl.float32"


def _add(
    builder, name: str, init: list[str], step: list[str], line: int, after: list[str] = ()
) -> None:
    """Registers the accumulation (lines before its loop, inside it, after it) and marks its
    place among the kernel's lines."""
    init_tree = ast.parse("\n".join(init))
    step_tree = ast.parse("\n".join(step))
    after_tree = ast.parse("\n".join(after))
    writes = {
        n.id
        for tree in (init_tree, step_tree, after_tree)
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    uses = read_names(init_tree) | (read_names(step_tree) - writes)
    builder.reduction_loops.accumulations[name] = Accumulation(
        name, init, step, uses, writes, list(after)
    )
    builder.emit(MARK + name, line)


def _base_name(builder, node, fallback: str) -> str:
    target = builder.direct_target if builder.direct_value is node else None
    return target.value if isinstance(target, cst.Name) else fallback


def _block(axis) -> str:
    return "1" if axis is None else axis.block


def _inf(identity: str) -> str:
    return f'float("{identity}")'


def _correction(builder, args) -> object:
    if "correction" in args.keywords:
        return builder.expressions.lower_expr(args.keywords["correction"]).const
    if "unbiased" in args.keywords:
        return 1 if builder.expressions.lower_expr(args.keywords["unbiased"]).const else 0
    if len(args.positional) > 1:
        return 1 if builder.expressions.lower_expr(args.positional[1]).const else 0
    return 1
