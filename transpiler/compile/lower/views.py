"""Lowering of casts and views of blocks: transpose, permute, reshape, flatten, squeeze, expand."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import (
    ShapeError,
    UnsupportedConstructError,
    UnsupportedDtypeError,
    UnsupportedOpError,
)
from ..ops.table import CAST_METHODS, DTYPES, FLOAT8_DTYPES, UPCAST_DTYPES
from .arguments import Arguments
from .inferred_sizes import kept_dims
from .values import (
    CONST,
    DTYPE,
    MODULE,
    Axis,
    NotSqueezable,
    Value,
    block,
    is_squeezed,
    triton_dims,
    triton_position,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# torch dtypes with no Triton counterpart here (those in op_table.DTYPES lower to DTYPE values):
# complex, quantised, bits, unsigned ints but uint8, and the float8 formats that are not OCP's
# (e4m3fnuz / e5m2fnuz: AMD's MI300 encodings; e8m0fnu: a scale exponent) or float4
# Triton dtypes a value known to be stored in is no float64 (a cast of it to a dtype known only
# at the launch, `acc.to(y.dtype)`, is a plain `.to`)
_NOT_FLOAT64 = frozenset(DTYPES.values()) - {"tl.float64"}


def _may_be_float64(value: Value) -> bool:
    """A float (or a value of unknown dtype) that may hold float64: a load, arithmetic on one."""
    if value.dtype in ("int", "bool"):
        return False
    return value.storage is None or ast.unparse(value.storage) not in _NOT_FLOAT64


_UNSUPPORTED_DTYPE = re.compile(
    r"torch\.(complex\d*|cfloat|cdouble|chalf|q?u?int\d+|float8\w*|float4\w*|bits\w*)"
)


class Views:
    """Casts and block views: the calls that change a value's dtype or the shape of its data."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def cast_call(self, value: Value, name: str, args: Arguments, node: cst.Call) -> Value:
        if name == "to":
            return self.cast_to(value, args.get(0, "dtype"), node)
        return self.cast(value, DTYPES[CAST_METHODS[name]], node)

    def cast_like(self, value: Value, other_node: cst.BaseExpression | None, node: cst.Call):
        """`x.type_as(y)`: x converted to y's dtype, as `x.to(y.dtype)`."""
        other = None if other_node is None else self.k.expressions.lower_expr(other_node)
        target = None if other is None else self.k.expressions.dtype_of(other)
        if target is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                other_node if other_node is not None else node,
                "type_as() takes a tensor, whose dtype it converts to",
                hint="v.type_as(x[tile]), v.type_as(x), or v.to(torch.float32) for a dtype",
            )
        return self.cast(value, target.code, node)

    def cast_to(self, value: Value, dtype_node: cst.BaseExpression, node: cst.CSTNode) -> Value:
        """`value` converted to the dtype `dtype_node` names (`.to(dtype)`, a `dtype=`)."""
        target = self.k.expressions.lower_expr(dtype_node)
        self.refuse_unsupported_dtype(target, node)
        if target.kind != DTYPE:
            raise self.k.source.error(
                UnsupportedConstructError,
                dtype_node if dtype_node is not None else node,
                "a conversion inside a device loop takes a dtype",
                hint="pass a torch dtype: v.to(torch.float32), v.to(x.dtype) (a numpy or "
                "Python type is not one; a device stays where the tensor is)",
            )
        if target.const != "runtime":
            return self.cast(value, target.const, node)
        return self.cast(value, target.code, node, self._may_be_float8(value, dtype_node))

    def _may_be_float8(self, value: Value, dtype_node: cst.BaseExpression) -> bool:
        """`v.to(y.dtype)` of a value that may be float64, y a tensor none of v's values come
        from: y may be float8, which sm_90 makes from no float64 (where v comes from y, a float8
        y meets no float64: torch refuses to promote float8)."""
        if not (
            isinstance(dtype_node, cst.Attribute)
            and dtype_node.attr.value == "dtype"
            and isinstance(dtype_node.value, cst.Name)
            and _may_be_float64(value)
        ):
            return False
        tensor = dtype_node.value.value
        sources = {self.k.host.like.get(t, t) for t in value.loaded_from | value.fed_by}
        return self.k.host.like.get(tensor, tensor) not in sources

    def refuse_unsupported_dtype(self, value: Value, node: cst.CSTNode) -> None:
        """A torch dtype the op table lacks (complex, float8, quantised): an error at `node`."""
        if value.kind == MODULE and _UNSUPPORTED_DTYPE.fullmatch(value.name):
            float8 = value.name.startswith(("torch.float8", "torch.float4"))
            raise self.k.source.error(
                UnsupportedDtypeError,
                node,
                f"{value.name} is a dtype the generated kernel cannot compute in",
                hint="float8 kernels use torch.float8_e4m3fn or torch.float8_e5m2 (OCP formats)"
                if float8
                else None,
            )

    def cast(
        self, value: Value, dtype: str | ast.expr, node: cst.CSTNode, through_float32: bool = False
    ) -> Value:
        """`.to(dtype)`; half-precision results go back to float32 for further arithmetic;
        `through_float32`: a dtype known at the launch that may be float8 (float8_of)."""
        if dtype == "tl.int1":
            return block(expr("a != 0", a=value.code), value.dims, "bool")
        target = expr(dtype) if isinstance(dtype, str) else dtype
        code = stored = expr("a.to(d)", a=value.code, d=target)
        if dtype in FLOAT8_DTYPES or through_float32:  # (float64 to float8 through float32)
            self.k.use_helper("float8_of")
            code = stored = expr("float8_of(a, d)", a=value.code, d=target)
        if not isinstance(dtype, str) or dtype in UPCAST_DTYPES:
            self.k.use_helper("upcast_half")
            code = expr("upcast_half(a)", a=stored)
        kind = "float" if isinstance(dtype, str) and "float" in dtype else None
        if isinstance(dtype, str) and "int" in dtype:
            kind = "int"
        return replace(block(code, value.dims, kind), storage=target, stored=stored)

    def dim_position(self, dim: int, rank: int, node: cst.CSTNode) -> int:
        """`dim` of a value of `rank` dimensions as a position (negative from the end); out of
        range is an error at `node`, as torch's IndexError."""
        if not -rank <= dim < rank:
            raise self.k.source.error(
                ShapeError,
                node,
                f"dim {dim} is out of range: expected one in [{-rank}, {rank - 1}]",
                hint="count dims from 0 (or from the end with negative numbers)",
            )
        return dim % rank

    def view_op(self, value: Value, name: str, args: Arguments, node: cst.Call) -> Value:
        if name in ("contiguous", "clone", "detach"):  # a block is a value: already its own copy
            return value
        if name == "unsqueeze":
            dim = self.const_int(args.get(0, "dim"), node)
            position = self.dim_position(dim, value.rank + 1, args.get(0, "dim") or node)
            dims = value.dims[:position] + (None,) + value.dims[position:]
            position = triton_position(value.dims, position)
            return block(expr("tl.expand_dims(a, d)", a=value.code, d=position), dims, value.dtype)
        if name == "squeeze":
            return self.squeeze(value, args.get(0, "dim"), node)
        if name in ("view", "reshape", "expand"):
            elements = args.positional
            if len(elements) == 1 and isinstance(elements[0], (cst.List, cst.Tuple)):
                elements = [e.value for e in elements[0].elements]
            dims, sizes = self.sizes_of(value, name, elements, node)
            if any(map(is_squeezed, (*value.dims, *dims))):
                raise NotSqueezable(f"{name} of a block with a squeezed tile")
            if name == "expand":
                self.check_expanded(value, dims, node)
            else:  # lanes move: a whole dimension split or merged has no padding
                moved = set(value.dims) ^ set(dims)
                self.k.unpadded |= {
                    a.key for a in moved if a is not None and self.k.whole_axes.is_full_axis(a)
                }
            function = "tl.broadcast_to" if name == "expand" else "tl.reshape"
            code = expr(f"{function}(a, s)", a=value.code, s=ast.List(elts=sizes))
            return replace(
                value, code=code, dims=tuple(dims), stored=None, zero_outside=frozenset()
            )
        if name == "flatten":
            return self.flatten(value, args, node)
        if name == "unflatten":
            return self.unflatten(value, args, node)
        if name == "expand_as":
            other_node = args.get(0, "other")
            if other_node is None:
                raise self.k.source.error(
                    UnsupportedOpError, node, ".expand_as() needs the tensor to expand as"
                )
            other = self.k.expressions.arithmetic(
                self.k.expressions.lower_expr(other_node), other_node
            )
            dims = self.k.broadcasting.broadcast_dims(value, other, node)
            code = expr("tl.broadcast_to(a, s)", a=value.code, s=self.k.dots.block_shape(dims))
            return replace(value, code=code, dims=dims, stored=None)
        if name in ("transpose", "permute") and args.positional:
            return self.permute(
                value, name, [self.const_int(a, node) for a in args.positional], node
            )
        return self.transpose(value, node)

    def squeeze(self, value: Value, dim_node: cst.BaseExpression | None, node: cst.Call):
        """`.squeeze(dim)` / `.squeeze()`: the size-1 dimensions go (a view's `None`, a slice of
        one index `x[t, 2:3]`); a tile stays, a block of BLOCK lanes, as torch leaves a
        dimension that is not size 1."""
        if dim_node is None:
            if value.rank == 0:
                return value
            undecided = next((a for a in value.dims if self.undecided(a)), None)
            if undecided is not None:
                why = (
                    "a tile of one lane (block_size=1), which the generated kernel holds "
                    "without a dimension"
                    if undecided.squeezed
                    else "a whole dimension, whose size is known only at run time"
                )
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node.func.attr if isinstance(node.func, cst.Attribute) else node,
                    f"squeeze() without a dim of a value over {undecided.label}: {why}",
                    hint="name the size-1 dimensions: v.squeeze(-1), or v.squeeze(1)",
                )
            dropped = [i for i, a in enumerate(value.dims) if self.size_one(a)]
        else:
            dim = self.const_int(dim_node, node)
            position = self.dim_position(dim, max(value.rank, 1), dim_node)
            if value.rank == 0:
                return value  # torch squeezes a 0-d tensor to itself
            axis = value.dims[position]
            if not self.size_one(axis) and not (
                axis.squeezed or axis.size or self.k.whole_axes.is_full_axis(axis)
            ):
                return value  # a tile is a block of BLOCK lanes: torch leaves it as it is
            if not self.size_one(axis):
                raise self.k.source.error(
                    ShapeError, node, "squeeze of a dimension that is not size 1"
                )
            dropped = [position]
        dims = tuple(a for i, a in enumerate(value.dims) if i not in dropped)
        shape = self.k.dots.block_shape(dims)
        return block(expr("tl.reshape(a, s)", a=value.code, s=shape), dims, value.dtype)

    def size_one(self, axis: Axis | None) -> bool:
        """A dimension of size 1: a view's `None`, or a slice of one index (`x[t, 2:3]`, its
        start checked inside the tensor by the launcher, or computed in the loop)."""
        if axis is None or self.k.broadcasting.broadcasts_one_lane(axis):
            return True
        return axis.block == "1" and axis.length is None and axis in self.k.slice_axes.values()

    def undecided(self, axis: Axis | None) -> bool:
        """A dimension squeeze() without a dim cannot decide here: a whole dimension (`:`, its
        host size: torch drops it when that is 1) or a tile of one lane (block_size=1)."""
        return axis is not None and (axis.squeezed or self.k.whole_axes.is_full_axis(axis))

    def sizes_of(self, value: Value, name: str, elements: list, node: cst.Call) -> tuple:
        """Axes and Triton sizes of view / reshape / expand's sizes, each -1 the block's
        dimension it stands for (inferred_sizes.py)."""
        kept = kept_dims(self.k, value, name, elements, node)
        dims, sizes = [], []
        for place, element in enumerate(elements):
            if place in kept:
                dims.append(kept[place])
                sizes += self.k.dots.block_shape([kept[place]]).elts
                continue
            element_dims, element_sizes = self.k.allocations.shape_of(node, [element])
            dims += element_dims
            sizes += element_sizes
        return dims, sizes

    def check_expanded(self, value: Value, dims: list, node: cst.Call) -> None:
        """torch's expand keeps every dimension not of size 1: it must be the target's (two
        whole dimensions: the launcher checks them equal), never silently padded or cut."""
        if len(dims) < value.rank:
            raise self.k.source.error(
                ShapeError, node, f"expand to {len(dims)} dimensions of a {value.rank}-D block"
            )
        for own, target in zip(reversed(value.dims), reversed(dims)):
            if own is not None and own.reach is not None and own.reach[3] == 1:
                continue  # a slice of one index (`x[tile, 0:1]`): size 1, as torch's
            if own is not None and (
                target is None or not self.k.broadcasting.same_axis(own, target)
            ):
                raise self.k.source.error(
                    ShapeError,
                    node,
                    f"expand of a dimension over {own.label} to another size",
                    hint="expand only dimensions of size 1 (add them with [None, :])",
                )

    def flatten(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """`.flatten(start_dim, end_dim)` of a block: its dimensions start..end as one, of the
        product of their blocks' lanes (a tile's masked lanes stay in it: unflatten gives the
        tiles back, masks and all)."""
        start_node, end_node = args.get(0, "start_dim"), args.get(1, "end_dim")
        start = self.const_int(start_node, node) if start_node is not None else 0
        end = self.const_int(end_node, node) if end_node is not None else -1
        rank = value.rank
        if rank == 0:
            code = expr("tl.reshape(a, s)", a=value.code, s=self.k.dots.block_shape((None,)))
            return replace(value, code=code, dims=(None,), stored=None, zero_outside=frozenset())
        if not (-rank <= start < rank and -rank <= end < rank) or start % rank > end % rank:
            raise self.k.source.error(
                ShapeError, node, f"flatten({start}, {end}) of a {rank}-D block"
            )
        start, end = start % rank, end % rank
        if start == end:
            return value
        if any(map(is_squeezed, value.dims)):
            raise NotSqueezable("flatten of a block with a squeezed tile")
        merged = [axis for axis in value.dims[start : end + 1] if axis is not None]
        if not merged:
            axis = None
        elif len(merged) == 1:
            axis = merged[0]
        else:
            blocks = [str(a.size) if a.size is not None else a.block for a in merged]
            axis = self.k.slices.lanes_axis(" * ".join(blocks))
        dims = value.dims[:start] + (axis,) + value.dims[end + 1 :]
        code = expr("tl.reshape(a, s)", a=value.code, s=self.k.dots.block_shape(dims))
        return replace(value, code=code, dims=dims, stored=None, zero_outside=frozenset())

    def unflatten(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """`.unflatten(dim, [tile_a, tile_b])`: one dimension of a block as these (a flatten's
        inverse; the sizes are tiles, host sizes and 1s, as hl.zeros takes)."""
        dim_node, sizes_node = args.get(0, "dim"), args.get(1, "sizes")
        if sizes_node is None or not isinstance(sizes_node, (cst.List, cst.Tuple)):
            raise self.k.source.error(
                UnsupportedConstructError,
                sizes_node or node,
                "unflatten's sizes must be a list of tiles, host sizes and 1s",
                hint="write block.unflatten(0, [tile_b, h])",
            )
        dim = self.const_int(dim_node, node)
        if not -value.rank <= dim < value.rank:
            raise self.k.source.error(
                ShapeError, node, f"unflatten({dim}) of a {value.rank}-D block"
            )
        dim %= value.rank
        if any(map(is_squeezed, value.dims)):
            raise NotSqueezable("unflatten of a block with a squeezed tile")
        new_dims, _ = self.k.allocations.shape_of(sizes_node)
        if any(map(is_squeezed, new_dims)):
            raise NotSqueezable("unflatten into a squeezed tile")
        dims = value.dims[:dim] + tuple(new_dims) + value.dims[dim + 1 :]
        code = expr("tl.reshape(a, s)", a=value.code, s=self.k.dots.block_shape(dims))
        return replace(value, code=code, dims=dims, stored=None, zero_outside=frozenset())

    def permute(self, value: Value, name: str, numbers: list[int], node: cst.CSTNode) -> Value:
        """`.transpose(d0, d1)` / `.permute(...)` of a block: tl.trans in 2-D, tl.permute beyond."""
        rank = value.rank
        if any(not -rank <= n < rank for n in numbers) or (
            name == "transpose" and len(numbers) != 2
        ):
            raise self.k.source.error(
                ShapeError, node, f"{name}{tuple(numbers)} of a {rank}-D block"
            )
        order = list(range(rank))
        if name == "transpose":
            first, second = (n % rank for n in numbers)
            order[first], order[second] = order[second], order[first]
        else:
            order = [n % rank for n in numbers]
        if order == list(range(rank)):
            return value
        dims = tuple(value.dims[i] for i in order)
        if any(map(is_squeezed, value.dims)):  # permute only the dimensions Triton has
            kept = [i for i in order if not is_squeezed(value.dims[i])]
            order = [sorted(kept).index(i) for i in kept]
            if order == list(range(len(order))):
                return replace(value, dims=dims)
            value, rank = replace(value, dims=triton_dims(value.dims)), len(order)
        if rank == 2:
            return replace(self.transpose(value, node), dims=dims)
        permutation = ast.Tuple(elts=[ast.Constant(value=i) for i in order])
        stored = (
            expr("tl.permute(a, o)", a=value.stored, o=permutation)
            if value.stored is not None
            else None
        )
        return replace(
            value,
            code=expr("tl.permute(a, o)", a=value.code, o=permutation),
            dims=dims,
            stored=stored,
        )

    def transpose(self, value: Value, node: cst.CSTNode) -> Value:
        if any(map(is_squeezed, value.dims)):
            raise NotSqueezable("a transpose without dimensions of a block with a squeezed tile")
        if value.rank < 2:
            return value
        if value.rank != 2:
            raise self.k.source.error(
                ShapeError,
                node,
                "transpose of a block with more than two dimensions",
                hint="transpose 2-D values (.T, .t(), .transpose(0, 1)); for a batch of "
                "matrices swap the last two dimensions: .mT or .transpose(-2, -1)",
            )
        stored = expr("tl.trans(a)", a=value.stored) if value.stored is not None else None
        return replace(
            value, code=expr("tl.trans(a)", a=value.code), dims=value.dims[::-1], stored=stored
        )

    def matrix_transpose(self, value: Value, node: cst.CSTNode) -> Value:
        """`.mT`: the last two dimensions swapped, as torch's; a block of fewer has none."""
        if value.rank < 2:
            raise self.k.source.error(
                ShapeError,
                node,
                f".mT of a {value.rank}-D block (torch's .mT needs two dimensions or more)",
                hint="a 1-D block needs no transpose: use it as it is, or add a dimension "
                "first (v[:, None] or v[None, :])",
            )
        return self.permute(value, "transpose", [-2, -1], node)

    def const_int(self, node: cst.BaseExpression | None, call: cst.CSTNode) -> int:
        value = self.k.expressions.lower_expr(node) if node is not None else None
        if value is None or value.kind != CONST or not isinstance(value.const, int):
            raise self.k.source.error(
                UnsupportedConstructError,
                node or call,
                "this argument must be an integer constant",
            )
        return value.const
