"""Lowering of hl.rand / hl.randint: Triton's Philox on each element's linear index."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import broadcast, expr
from ..frontend.errors import ShapeError
from .arguments import Arguments
from .values import BLOCK, CONST, HOST_TENSOR, Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class Random:
    """`hl.rand(shape, seed=...)`, `hl.randint(shape, low, high, seed=...)`.

    The offsets are the elements' linear indices in the index space the shape spans: a tile
    contributes its indices and its range's end, a host size `n` the indices 0..n-1 and n.
    Reference mode (language.random_offsets + philox.py) computes the same offsets and numbers.
    """

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def rand(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.rand(shape, seed)`: floats in [0, 1)."""
        dims, offsets, seed = self.philox_inputs(args)
        return block(expr("tl.rand(s, o)", s=seed, o=offsets), tuple(dims), "float")

    def randint(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.randint(shape, low, high, seed)`: integers in [low, high)."""
        dims, offsets, seed = self.philox_inputs(args)
        low, high = (self.integer_argument(args.keywords[k], k, node) for k in ("low", "high"))
        self.k.use_helper("randint_between")
        code = expr("randint_between(s, o, a, b)", s=seed, o=offsets, a=low.code, b=high.code)
        return block(code, tuple(dims), "int")

    def philox_inputs(self, args: Arguments) -> tuple[list, ast.expr, ast.expr]:
        """The shape's axes, each element's offset and the seed (both bound by the signature)."""
        dims, _ = self.k.allocations.shape_of(args.keywords["shape"])
        return dims, self.random_offsets(dims), self.random_seed(args.keywords["seed"])

    def random_offsets(self, dims: list) -> ast.expr:
        """Σ index_d · Π extent_e (e > d), written as Horner's rule over the axes."""
        rank = len(dims)
        offsets: ast.expr | None = None
        for position, axis in enumerate(dims):
            if axis is None:  # a size-1 dimension: index 0, extent 1
                continue
            indices = broadcast(axis.offsets, position, rank)
            offsets = (
                indices if offsets is None else expr("o * e + i", o=offsets, e=axis.end, i=indices)
            )
        return offsets if offsets is not None else ast.Constant(value=0)

    def random_seed(self, seed_node: cst.BaseExpression) -> ast.expr:
        """An int seed (constant or host scalar), or a one-element tensor's first element."""
        seed = self.k.expressions.lower_expr(seed_node)
        if seed.kind == HOST_TENSOR:
            return expr("tl.load(p)", p=self.k.tensor_pointer(seed.name))
        if seed.kind in (BLOCK, CONST) and not seed.rank and seed.dtype not in ("float", "bool"):
            return seed.code
        raise self.k.source.error(
            ShapeError,
            seed_node,
            "the seed of hl.rand / hl.randint must be an int or a one-element tensor",
            hint="pass seed=an int argument of the kernel",
        )

    def integer_argument(self, value_node: cst.BaseExpression, what: str, node: cst.Call) -> Value:
        value = self.k.expressions.arithmetic(self.k.expressions.lower_expr(value_node), value_node)
        if value.rank or value.dtype in ("float", "bool"):
            raise self.k.source.error(ShapeError, value_node, f"hl.randint's {what} must be an int")
        return value
