"""Lowering of reductions along a dimension: masked lanes hold the reduction's identity."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, conjunction, expr
from ..frontend.errors import ReductionLoopError, ShapeError, UnsupportedConstructError
from ..ops.table import REDUCTIONS_BY_NAME
from .accumulations import hoist_reduction
from .argument_checks import floats_only
from .scaled_products import scaled_maximum
from .several_dims import reduce_several
from .values import (
    CONST,
    TUPLE,
    Axis,
    NotSqueezable,
    Value,
    block,
    dims_hint,
    is_squeezed,
    triton_dims,
    triton_position,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_IDENTITY = {"0": "0", "1": "1", "-inf": 'float("-inf")', "inf": 'float("inf")'}
_HELPER_REDUCTIONS = ("product",)  # op.triton names that are prelude helpers
_EXTREMES = {"-inf": "fill_lowest", "inf": "fill_highest"}  # for integer values


class Reductions:
    """`reduction(name, value, args, node)` for sum, mean, amax, ..., softmax, var, cumsum."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def reduction(self, name: str, value: Value, args, node: cst.Call) -> Value:
        result = self.reduced(name, value, args, node)
        if result.kind == TUPLE:
            return result
        # computed from the tensors' values in their dtype (Value.fed_by), unless converted
        positions = REDUCTIONS_BY_NAME[name].looped == "best"  # argmax / argmin: indices
        kept = "dtype" not in args.keywords and not positions and result.dtype != "bool"
        fed = value.fed_by | value.loaded_from if kept else frozenset()
        result = replace(result, fed_by=result.fed_by | fed)
        if not self.widens(name, value, args):
            return result
        return replace(result, widened=True)  # torch's int64 sum: Value.widened

    def widens(self, name: str, value: Value, args) -> bool:
        """An integer sum or product in int64 (torch's, whatever the input's width)."""
        op = REDUCTIONS_BY_NAME[name]
        return value.dtype != "float" and op.widened and "dtype" not in args.keywords

    def reduced(self, name: str, value: Value, args, node: cst.Call) -> Value:
        op = REDUCTIONS_BY_NAME[name]
        dim_node = args.get(0, "dim")
        dim = None if dim_node is None else self.k.expressions.lower_expr(dim_node)
        if op.variance and dim is not None and dim.kind == CONST and type(dim.const) is bool:
            # torch's var(unbiased) overload: x.var(False) is every element's, uncorrected
            kept = {k: v for k, v in args.keywords.items() if k != "dim"}
            args = args.bound({**kept, "unbiased": dim_node})
            args.positional = []
            dim_node, dim = None, None
        keepdim_node = args.keywords.get("keepdim") or (
            args.positional[1] if len(args.positional) > 1 and not op.variance else None
        )
        keepdim = (
            bool(self.k.expressions.lower_expr(keepdim_node).const)
            if keepdim_node is not None
            else False
        )
        if (
            dim is not None
            and dim.kind != TUPLE
            and not (dim.kind == CONST and isinstance(dim.const, (int, type(None))))
        ):
            raise self.k.source.error(
                UnsupportedConstructError, dim_node, "dim must be an integer constant"
            )
        sources = value.loaded_from  # the tensors read: a looped row's lanes take their dtype
        if value.dtype == "bool":
            value = value.with_code(
                expr("a.to(tl.int32)", a=value.code), dtype="int", loaded_from=frozenset()
            )
        # torch sums and multiplies integers of every width in int64 (Triton: int32, wrapping),
        # bools too (a bool load's True + True is 2 there: no bool refused at the launch)
        if self.widens(name, value, args):
            self.k.use_helper("int64_if_integer")
            value = value.with_code(
                expr("int64_if_integer(a)", a=value.code), loaded_from=frozenset()
            )
        if op.divided or op.variance:
            floats_only(self.k, name, value, args, node)
        self.k.note_arithmetic((value,), node)
        if value.dtype != "int":  # (int64_if_integer's value: read no bool refusal from them)
            value = replace(value, loaded_from=sources)
        if dim is not None and dim.kind == TUPLE:
            return reduce_several(self, op, value, dim, dim_node, keepdim, args, node)
        if dim is None or dim.const is None:
            if op.keeps_shape:
                raise self.k.source.error(UnsupportedConstructError, node, f"{name} needs dim=")
            return self.reduce_all(op, value, keepdim, args, node)
        return self.along(op, value, dim.const, dim_node, keepdim, args, node)

    def along(self, op, value: Value, dim: int, dim_node, keepdim: bool, args, node) -> Value:
        """The reduction along one dim of the value (`dim_node`: where the source gives it)."""
        name = op.name
        rank = value.rank
        position = dim + rank if dim < 0 else dim
        if not 0 <= position < max(rank, 1) or rank == 0:
            raise self.k.source.error(
                ShapeError,
                dim_node,
                f"dim {dim} is out of range for a {rank}-D value",
                hint=dims_hint(rank),
            )
        axis = value.dims[position]
        kept = value.dims[:position] + (None,) + value.dims[position + 1 :]
        dropped = value.dims[:position] + value.dims[position + 1 :]
        dims = kept if keepdim or op.keeps_shape else dropped
        if is_squeezed(axis):
            raise NotSqueezable("a reduction over a squeezed tile")
        if axis is None and all(d is None or is_squeezed(d) for d in value.dims):
            # the load gave a Triton scalar (no dimension for the squeezed tiles, none for the
            # Nones either): there is no axis to reduce, so lower the loop with its tiles kept
            raise NotSqueezable("a reduction over a size-1 dimension of a Triton scalar")
        self.refuse_empty(op, (axis,), node)
        self.k.registered_blocks.refuse_filled_sum(op, value, (axis,), node)
        mask = self.reduction_mask(axis, triton_position(value.dims, position), value.dims, node)
        position = triton_position(value.dims, position)
        if self.k.reduction_loops.is_looped(axis):  # reduction_loops: accumulated chunk by chunk
            return hoist_reduction(self.k, name, value, mask, position, keepdim, dims, args, node)
        if op.keeps_shape and not op.scan:
            self.k.use_helper(op.triton)
            code = expr(f"{op.triton}(v, m, axis=a)", v=value.code, m=mask or True, a=position)
            return block(code, value.dims, "float")
        if op.scan:  # hl.cumsum(..., reverse=True): lanes outside add 0 from the end
            reverse_node = args.keywords.get("reverse")
            reverse = reverse_node is not None and bool(
                self.k.expressions.lower_expr(reverse_node).const
            )
            if reverse and mask is not None:
                value = value.with_code(self.fill_identity(op, value, mask))
            code = self.cumsum(value, position, reverse, op.triton)
            return block(code, value.dims, value.dtype)
        if name == "logsumexp":
            self.k.use_helper(op.triton)
            code = expr(
                "masked_logsumexp(v, m, a, k)", v=value.code, m=mask or True, a=position, k=keepdim
            )
            return block(code, dims, "float")
        if op.variance:
            variance = self.variance(
                value, args, mask, self.axis_count(axis), position, keepdim, dims
            )
            if op.root:
                return variance.with_code(expr("tl.sqrt(v)", v=variance.code))
            return variance
        folded = None  # the max of a scaled product, taken before the scaling (scaled_products.py)
        if op.scale_first and value.scaled is not None:
            amax = REDUCTIONS_BY_NAME["amax"]
            reduce = lambda v: self.along(amax, v, dim, dim_node, keepdim, args, node)  # noqa: E731
            folded = scaled_maximum(self.k, value, reduce)
            if folded is not None and not op.indices:
                return folded
        masked = value.code if mask is None else self.fill_identity(op, value, mask)
        keep = True if keepdim else None
        spelled = self.spelled(op, value)
        if op.indices:  # torch.max(s, d): the values as folded, the indices of s as written
            values = folded or block(
                expr(f"{spelled}(v, axis=a, keep_dims=k)", v=masked, a=position, k=keepdim),
                dims,
                value.dtype,
            )
            indices = self.arg_index(f"arg{op.name}", value, masked, position, keepdim, dims)
            self.k.pending_masked = masked
            return Value(TUPLE, items=(values, indices))
        if name in ("argmax", "argmin"):
            return self.arg_index(name, value, masked, position, keepdim, dims)
        if spelled == "tl.sum" and position == 1 and len(triton_dims(value.dims)) == 3:
            self.k.use_helper("sum_middle")  # not a sum of products Triton makes a TF32 tl.dot
            code = expr("sum_middle(v)", v=masked)
        else:
            code = expr(f"{spelled}(v, axis=a)", v=masked, a=position)
        self.k.per_block.reduced(code, (axis,), self.k.inner_blocks | self.k.inner_loop_blocks)
        if keep:
            code.keywords.append(ast.keyword(arg="keep_dims", value=ast.Constant(value=True)))
        if op.divided:
            code = expr("s / c", s=code, c=self.axis_count(axis))
            return replace(block(code, dims, "float"), zero_dim_tensor=not dims)
        return replace(block(code, dims, value.dtype), zero_dim_tensor=not dims)

    def arg_index(
        self, name: str, value: Value, masked: ast.expr, position: int, keepdim: bool, dims
    ) -> Value:
        """The index into the value as torch counts it in the slice x[tile]: from the tile's
        first lane (not the tensor's: adding the tile's begin was a bug until 2026-12-05); a
        NaN's where the value may hold floats (argmax_nan)."""
        spelled = self.spelled(REDUCTIONS_BY_NAME[name], value)
        code = expr(f"{spelled}(v, axis=a, keep_dims=k)", v=masked, a=position, k=keepdim)
        return block(code, dims, "int")

    def variance(self, value: Value, args, mask, count, position, keepdim: bool, dims) -> Value:
        """masked_var along Triton dimension `position` (None: every dim) over `count` lanes."""
        correction = self.correction(args)
        self.k.use_helper("masked_var")
        code = expr(
            "masked_var(v, m, c, k, a, d)",
            v=value.code,
            m=mask or True,
            c=count,
            k=correction,
            a=position,
            d=keepdim,
        )
        return block(code, dims, "float")

    def correction(self, args) -> object:
        """var / std's correction: `correction=`, else 1 unless `unbiased=` (or the second
        positional argument) is False."""
        if "correction" in args.keywords:
            return self.k.expressions.lower_expr(args.keywords["correction"]).const
        if "unbiased" in args.keywords:
            return 1 if self.k.expressions.lower_expr(args.keywords["unbiased"]).const else 0
        if len(args.positional) > 1:
            return 1 if self.k.expressions.lower_expr(args.positional[1]).const else 0
        return 1

    def reduce_all(self, op, value: Value, keepdim: bool, args, node: cst.Call) -> Value:
        """x.sum() with no dim: every dim at once, a scalar (keepdim: every dim kept, of size
        1); argmax / argmin the index into the value flattened, var / std its variance."""
        materialised = triton_dims(value.dims)  # squeezed tiles: one index, inside the range
        if any(self.k.reduction_loops.is_looped(axis) for axis in materialised):
            raise self.k.source.error(
                ReductionLoopError, node, f"{op.name}() of every dimension of a looped row",
                hint="reduce along the row with dim= first",
            )  # fmt: skip
        if not (op.whole or op.variance or op.name in ("argmax", "argmin")):
            raise self.k.source.error(UnsupportedConstructError, node, f"{op.name} with no dim")
        if keepdim and len(materialised) != len(value.dims):
            raise NotSqueezable("keepdim of a reduction over a squeezed tile")
        self.k.registered_blocks.refuse_filled_sum(op, value, materialised, node)
        mask = conjunction(
            self.k.indexing.place_mask(axis, position, value.dims, node)
            for position, axis in enumerate(materialised)
            if axis is not None and axis.masked
        )
        self.refuse_empty(op, materialised, node)
        count = None
        for axis in materialised:
            if axis is not None:
                part = self.axis_count(axis)
                count = part if count is None else expr("a * b", a=count, b=part)
        count = count if count is not None else ast.Constant(value=1)
        dims = (None,) * len(value.dims) if keepdim else ()
        if op.variance:
            variance = self.variance(value, args, mask, count, None, keepdim, dims)
            if op.root:
                variance = variance.with_code(expr("tl.sqrt(v)", v=variance.code))
            return replace(variance, zero_dim_tensor=not dims)
        masked = value.code if mask is None else self.fill_identity(op, value, mask)
        if op.name in ("argmax", "argmin"):
            return self.flat_index(op, value, masked, keepdim, node)
        code = expr(f"{self.spelled(op, value)}(v)", v=masked)
        self.k.per_block.reduced(code, value.dims, self.k.inner_blocks | self.k.inner_loop_blocks)
        if keepdim:
            code.keywords.append(ast.keyword(arg="keep_dims", value=ast.Constant(value=True)))
        if op.divided:
            code = expr("s / c", s=code, c=count)
        reduced = block(code, dims, "float" if op.divided else value.dtype)
        return replace(reduced, zero_dim_tensor=not dims)

    def refuse_empty(self, op, axes, node: cst.CSTNode) -> None:
        """torch.amax / max / argmax (and the min ones) along a whole dimension of size 0 raise
        IndexError in torch (no identity to give): so does the launcher."""
        for axis in axes:
            if op.empty_raises and axis is not None and axis.key and not axis.key.isdigit():
                size, line = (
                    self.k.host.name_for_key(axis.key) or axis.key,
                    self.k.source.line_of(node),
                )
                message = f"line {line}: {op.name}() along a dimension of size 0 ({size})"
                self.k.argument_checks.append(f'require({size} > 0, "{message}", IndexError)')

    def spelled(self, op, value: Value) -> str:
        """The reduction's Triton spelling: a prelude helper where it is one, the one keeping a
        NaN as torch does where tl's drops it (`max_nan` for tl.max) unless the value is known
        to hold integers or bools."""
        spelling = op.nan if op.nan and value.dtype not in ("int", "bool") else op.triton
        if spelling != op.triton or op.triton in _HELPER_REDUCTIONS:
            self.k.use_helper(spelling)
        return spelling

    def flat_index(self, op, value: Value, masked: ast.expr, keepdim: bool, node) -> Value:
        """argmax / argmin with no dim: the best lane's index into the slice x[tile] flattened
        (row major), as torch counts it: from each tile's first lane, with the slice's own extents
        (adding the tiles' begins gave an index into the whole tensor until 2026-12-05)."""
        dims = triton_dims(value.dims)
        if not dims:
            return block(ast.Constant(value=0), (), "int")
        blocks = [ast.Name(id=d.block) if d is not None else ast.Constant(value=1) for d in dims]
        lanes = blocks[0]
        for size in blocks[1:]:
            lanes = expr("a * b", a=lanes, b=size)
        line = self.k.source.line_of(node)
        flat = self.k.names.fresh("flat_index")
        best = expr(f"{self.spelled(op, value)}(tl.reshape(v, [n]), axis=0)", v=masked, n=lanes)
        self.k.emit(assign(flat, best), line)
        index: ast.expr | None = None
        inner: ast.expr | None = None  # lanes of the block after this dim
        stride: ast.expr | None = None  # elements of the value after this dim
        for axis, size in reversed(list(zip(dims, blocks, strict=True))):
            if axis is None:
                continue
            local = ast.Name(id=flat) if inner is None else expr("f // s", f=flat, s=inner)
            if axis is not dims[0]:
                local = expr("i % b", i=local, b=size)
            term = local if stride is None else expr("i * s", i=local, s=stride)
            index = term if index is None else expr("t + r", t=term, r=index)
            inner = size if inner is None else expr("a * b", a=size, b=inner)
            extent = self.slice_extent(axis, size)
            stride = extent if stride is None else expr("a * b", a=extent, b=stride)
        code = index if index is not None else ast.Constant(value=0)
        if keepdim:
            code = expr(f"tl.full([{', '.join(['1'] * len(dims))}], i, tl.int32)", i=code)
        return replace(block(code, (None,) * len(value.dims) if keepdim else (), "int"),
                       zero_dim_tensor=not keepdim)  # fmt: skip

    def slice_extent(self, axis, block_size: ast.expr) -> ast.expr:
        """How many indices the slice x[tile] holds along `axis`, as torch counts them: a whole
        dimension's size, a tile's lanes inside the tensor (the last tile may be short)."""
        if axis.size is not None:
            return ast.Constant(value=axis.size)
        if not axis.masked or self.k.whole_axes.is_full_axis(axis):
            return axis.end
        lanes = block_size if axis.length is None else axis.length  # a slice: its length
        return expr("tl.minimum(b, e - s)", b=lanes, e=axis.end, s=axis.begin)

    def fill_identity(self, op, value: Value, mask: ast.expr) -> ast.expr:
        """The value with lanes outside the tensor replaced by the reduction's identity."""
        if op.identity in _EXTREMES and value.dtype != "float":
            # integers have no infinity: the smallest / largest value of their type
            self.k.use_helper(_EXTREMES[op.identity])
            return expr(f"{_EXTREMES[op.identity]}(v, m)", v=value.code, m=mask)
        return expr(f"tl.where(m, v, {_IDENTITY[op.identity]})", m=mask, v=value.code)

    def cumsum(
        self, value: Value, position: int, reverse: bool = False, scan: str = "tl.cumsum"
    ) -> ast.expr:
        """`tl.cumsum` (or `scan`: tl.cumprod) along Triton dimension `position`. Size-1 dimensions are dropped around
        the scan: compiled for the H100 (Triton 3.6), a scan of a [BLOCK_M, 1] block gave wrong
        sums where the interpreter was right (the GPU soak's one mismatch)."""
        dims = triton_dims(value.dims)
        reverse_text = ", reverse=True" if reverse else ""
        if all(d is not None for d in dims) or len(dims) < 2:
            return expr(f"{scan}(v, axis=a{reverse_text})", v=value.code, a=position)
        kept = [d for d in dims if d is not None]
        shape = ast.List(elts=[ast.Name(id=d.block) for d in kept])
        along = sum(1 for d in dims[:position] if d is not None)
        if not kept or dims[position] is None:
            return value.code  # along a size-1 dimension: each running sum is its element
        scanned = expr(
            f"{scan}(tl.reshape(v, s), axis=a{reverse_text})", v=value.code, s=shape, a=along
        )
        places = [ast.Slice() if d is not None else ast.Constant(value=None) for d in dims]
        return ast.Subscript(value=scanned, slice=ast.Tuple(elts=places), ctx=ast.Load())

    def reduction_mask(self, axis: Axis | None, position: int, dims, node) -> ast.expr | None:
        """The mask of the reduced axis at Triton dimension `position` (None: nothing masked)."""
        if axis is None or not axis.masked:
            return None
        return self.k.indexing.place_mask(axis, position, dims, node)

    def axis_count(self, axis: Axis | None) -> ast.expr:
        """How many lanes of the axis lie inside the tensor."""
        if axis is None:
            return ast.Constant(value=1)
        if axis.size is not None:
            return ast.Constant(value=axis.size)
        if axis.block_var:  # every lane of the block counts
            return ast.Name(id=axis.block)
        if axis.parents:
            raise self.k.source.error(
                UnsupportedConstructError,
                self.k.source.current,
                f"a mean or variance along the jagged tile {axis.label}: each parent lane "
                "counts its own lanes",
                hint="sum along it and divide by the lengths",
            )
        if self.k.whole_axes.is_full_axis(axis):
            return axis.end
        lanes = ast.Name(id=axis.block) if axis.length is None else axis.length
        return expr("tl.minimum(e - b, s)", e=axis.end, b=axis.begin, s=lanes)
