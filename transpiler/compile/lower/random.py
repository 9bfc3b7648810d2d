"""Lowering of hl.rand / hl.randint: Triton's Philox on each element's linear index."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import broadcast, expr
from ..frontend.errors import ShapeError, UnsupportedConstructError
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

    def call_random(self, name: str, args: Arguments, node: cst.Call) -> Value:
        shape_node = args.get(0, "shape")
        seed_node = args.get(1 if name == "rand" else 3, "seed")
        if shape_node is None or seed_node is None:
            needed = "shape, seed=..." if name == "rand" else "shape, low, high, seed=..."
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"hl.{name}() needs its shape and a seed",
                hint=f"write hl.{name}({needed})",
            )
        dims, _ = self.k.views.shape_of(shape_node)
        offsets = self.random_offsets(dims)
        seed = self.random_seed(seed_node)
        if name == "rand":
            return block(expr("tl.rand(s, o)", s=seed, o=offsets), tuple(dims), "float")
        low, high = (
            self.integer_argument(args.get(i, k), k, node) for i, k in ((1, "low"), (2, "high"))
        )
        self.k.use_helper("randint_between")
        code = expr("randint_between(s, o, a, b)", s=seed, o=offsets, a=low.code, b=high.code)
        return block(code, tuple(dims), "int")

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

    def integer_argument(
        self, value_node: cst.BaseExpression | None, what: str, node: cst.Call
    ) -> Value:
        if value_node is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"hl.randint() needs {what}=",
                hint="write hl.randint(shape, low, high, seed=...)",
            )
        value = self.k.expressions.arithmetic(self.k.expressions.lower_expr(value_node), value_node)
        if value.rank or value.dtype in ("float", "bool"):
            raise self.k.source.error(ShapeError, value_node, f"hl.randint's {what} must be an int")
        return value
