"""Lowering of hl.split / hl.join and torch.stack / torch.cat of blocks: tl.split, tl.join."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import ShapeError, UnsupportedConstructError
from .arguments import Arguments
from .values import CONST, TUPLE, Axis, Value, block, sized_axis

if TYPE_CHECKING:
    from .kernel import KernelBuilder

STACK_FUNCTIONS = ("stack", "cat", "concat", "concatenate")  # torch names lowered here


class Joins:
    """Pairs and stacks: a dimension of a known number of lanes, made and taken apart."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def split(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`lo, hi = hl.split(x)`: x's last dimension holds two lanes; tl.split takes them apart."""
        operand = args.get(0, "tensor")
        if operand is None:
            raise self.k.source.error(UnsupportedConstructError, node, "hl.split takes one value")
        value = self.k.expressions.arithmetic(self.k.expressions.lower_expr(operand), operand)
        last = value.dims[-1] if value.dims else None
        if last is None or not self.k.broadcasting.same_size(sized_axis(2, "2"), last):
            where = "a scalar" if not value.dims else f"a last dimension {_describe_dim(last)}"
            raise self.k.source.error(
                ShapeError,
                operand,
                f"hl.split needs a last dimension of size 2, not {where}",
                hint="split values made by hl.join / torch.stack, or loads like x[tile, :] "
                "of a tensor whose last dimension has size 2",
            )
        halves = expr("tl.split(v)", v=value.code)
        dims = value.dims[:-1]
        items = tuple(
            block(ast.Subscript(value=halves, slice=ast.Constant(value=i)), dims, value.dtype)
            for i in (0, 1)
        )
        return Value(TUPLE, code=halves, items=items)

    def join(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.join(a, b)`: a new last dimension of two lanes, a then b."""
        first, second = args.get(0, "tensor0"), args.get(1, "tensor1")
        if first is None or second is None:
            raise self.k.source.error(UnsupportedConstructError, node, "hl.join takes two values")
        return self.stacked(
            [self.k.expressions.lower_expr(first), self.k.expressions.lower_expr(second)],
            [first, second],
        )

    def stack_call(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`torch.stack([a, b, ...], dim=d)` and `torch.cat([a, b, ...], dim=d)` of blocks."""
        listed = args.get(0, "tensors")
        if not isinstance(listed, (cst.List, cst.Tuple)) or not listed.elements:
            raise self.k.source.error(
                UnsupportedConstructError,
                listed or node,
                f"torch.{name} inside a device loop takes a list of values written out",
                hint=f"torch.{name}([a, b], dim=-1)",
            )
        nodes = [element.value for element in listed.elements]
        values = [self.k.expressions.arithmetic(self.k.expressions.lower_expr(n), n) for n in nodes]
        count = len(values)
        if count & (count - 1):
            raise self.k.source.error(
                ShapeError,
                listed,
                f"torch.{name} of {count} values: Triton blocks have power-of-two sizes",
                hint="stack 2, 4 or 8 values (pad with a block of zeros), or store the "
                "pieces separately",
            )
        rank = max(v.rank for v in values)
        dim_node = args.get(1, "dim")
        dim = self.k.views.const_int(dim_node, node) if dim_node is not None else 0
        if name == "stack":
            position = dim + rank + 1 if dim < 0 else dim
            if not 0 <= position <= rank:
                raise self.k.source.error(
                    ShapeError,
                    dim_node,
                    f"dim {dim} is out of range for stacking {rank}-D values",
                    hint=f"dim runs from {-rank - 1} to {rank}",
                )
            return self.move_last(self.stacked(values, nodes), position, node)
        return self.concatenated(name, values, nodes, dim, listed)

    def concatenated(self, name, values: list[Value], nodes, dim: int, listed) -> Value:
        """cat along a dimension every operand has with the same known size: a stack, then
        the stacked dimension and that one merged (operand k's lanes land at k * size + i)."""
        rank = max(v.rank for v in values)
        position = dim + rank if dim < 0 else dim
        if not 0 <= position < rank or any(v.rank != rank for v in values):
            raise self.k.source.error(
                ShapeError,
                listed,
                f"torch.{name} along dim {dim}: out of range, or values of different ranks",
                hint="concatenate values of one rank along one of their dimensions",
            )
        along = [v.dims[position] for v in values]
        sizes = {1 if a is None else a.size for a in along}
        if len(sizes) != 1 or None in sizes:
            what = next(_describe_dim(a) for a in along if a is None or a.size is None)
            raise self.k.source.error(
                ShapeError,
                listed,
                f"torch.{name} along a dimension {what}: a length known only at run time "
                "cannot be laid side by side with another in one block",
                hint="load the joined range with hl.load(x, [...], extra_mask=...) and choose "
                "with torch.where (as the concatenate example does), or torch.stack the values",
            )
        size = sizes.pop()
        count = len(values)
        # With one lane along `dim` the stacked lanes can go after it: no permutation needed.
        stacked = self.move_last(
            self.stacked(values, nodes), position + 1 if size == 1 else position, listed
        )
        dims = (
            stacked.dims[:position]
            + (sized_axis(count * size, f"torch.{name} of {count}"),)
            + stacked.dims[position + 2 :]
        )
        code = expr("tl.reshape(v, s)", v=stacked.code, s=self.k.dots.block_shape(dims))
        return block(code, dims, stacked.dtype)

    def stacked(self, values: list[Value], nodes: list[cst.CSTNode]) -> Value:
        """The values side by side along a new last dimension, with tl.join: for more than two,
        joins of the even and the odd ones, [..., n/2, 2] reshaped to [..., n]."""
        values = [self.k.expressions.arithmetic(v, n) for v, n in zip(values, nodes)]
        dims = values[0].dims
        for value, node in zip(values[1:], nodes[1:]):
            dims = self.k.broadcasting.broadcast_dims(block(None, dims), value, node)
        dtypes = {v.dtype for v in values}
        dtype = dtypes.pop() if len(dtypes) == 1 else None
        if "float" in dtypes and dtype is None:
            dtype = "float"  # torch promotes to floating point; so does the cast below
        codes = [self.joinable(v, dims, dtype) for v in values]
        if len(codes) == 1:
            code = expr("tl.expand_dims(v, -1)", v=codes[0])
        else:
            code = self.joined(codes, dims)
        return block(code, (*dims, sized_axis(len(codes), f"{len(codes)} stacked values")), dtype)

    def joined(self, codes: list[ast.expr], dims) -> ast.expr:
        if len(codes) == 2:  # in one dtype first, as torch.stack promotes (tl.join refuses two)
            self.k.use_helper("join_promoted")
            return expr("join_promoted(a, b)", a=codes[0], b=codes[1])
        evens, odds = self.joined(codes[0::2], dims), self.joined(codes[1::2], dims)
        shape = self.k.dots.block_shape((*dims, sized_axis(len(codes), "")))
        self.k.use_helper("join_promoted")
        return expr("tl.reshape(join_promoted(a, b), s)", a=evens, b=odds, s=shape)

    def joinable(self, value: Value, dims, dtype: str | None) -> ast.expr:
        """A block tl.join takes: constants become blocks; integers join floats as floats."""
        if value.kind == CONST:
            kind = "tl.float32" if isinstance(value.const, float) or dtype == "float" else None
            kind = kind or ("tl.int1" if isinstance(value.const, bool) else "tl.int32")
            return expr(
                "tl.full(s, c, d)", s=self.k.dots.block_shape(dims), c=value.code, d=expr(kind)
            )
        if dtype == "float" and value.dtype in ("int", "bool"):
            return expr("v.to(tl.float32)", v=value.code)
        return value.code

    def move_last(self, value: Value, position: int, node: cst.CSTNode) -> Value:
        """The last dimension moved to `position` (torch.stack's dim)."""
        rank = value.rank
        if position == rank - 1:
            return value
        order = list(range(rank - 1))
        order.insert(position, rank - 1)
        return self.k.views.permute(replace(value, stored=None), "permute", order, node)


def _describe_dim(axis: Axis | None) -> str:
    if axis is None:
        return "of size 1"
    if axis.size is not None:
        return f"of size {axis.size}"
    return f"over {axis.label}"
