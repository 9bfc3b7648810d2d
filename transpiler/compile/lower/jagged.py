"""Lowering of `hl.jagged_tile(lengths)` (Helion's later name: `hl.vtile`): an inner tile loop whose length differs per lane of
the enclosing tiles, as a loop up to the longest with a mask of one length per lane."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, broadcast, conjunction, expr
from ..frontend.errors import UnsupportedConstructError
from .values import TILE, Axis, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class Jagged:
    """`jagged_loop(loop)`: for tile_k in hl.jagged_tile(lengths) (or hl.vtile(lengths))."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def jagged_loop(self, loop: cst.For, line: int) -> None:
        call = loop.iter
        spelled = "hl." + (self.k.aliases.qualified(call.func) or "jagged_tile").rsplit(".", 1)[-1]
        arguments = [a.value for a in call.args if a.keyword is None]
        if len(arguments) != 1 or len(call.args) != 1 or not isinstance(loop.target, cst.Name):
            raise self.k.source.error(
                UnsupportedConstructError,
                call,
                f"{spelled} takes one value, the lengths, and binds one tile",
                hint=f"for tile_k in {spelled}(lengths):",
            )
        lengths = self.k.expressions.arithmetic(
            self.k.expressions.lower_expr(arguments[0]), arguments[0]
        )
        parents = lengths.dims
        if not parents or any(
            axis is None or axis.size is not None or self.k.whole_axes.is_full_axis(axis)
            for axis in parents
        ):
            raise self.k.source.error(
                UnsupportedConstructError,
                arguments[0],
                f"{spelled} takes lengths with one value per lane of the enclosing tiles",
                hint="lengths = offsets[tile_b.index + 1] - offsets[tile_b]",
            )
        target = loop.target.value
        offsets, mask, block_wanted, _ = self.k.loop_calls.axis_names(target, 0, 1)
        suffix = offsets.removeprefix("offs_") if offsets.startswith("offs_") else ""
        # its values span the enclosing tiles too ([BLOCK_B, BLOCK_K, ...]): a step beside a
        # whole dimension shares the 4,096 elements with them (16 x 128 x 32 took ptxas 7 s)
        beside = tuple(axis.block for axis in parents if not axis.squeezed)
        block_name = self.k.loop_blocks.inner_block(block_wanted, [], beside=beside)
        self.k.has_inner_tiles = True
        if not isinstance(lengths.code, ast.Name):
            name = self.k.names.fresh(f"lengths_{suffix}" if suffix else "lengths")
            self.k.emit(assign(name, lengths.code), line)
            lengths = lengths.with_code(ast.Name(id=name))
        # the longest length among the lanes inside the tensor: the loop's end
        rank = len(parents)
        inside = conjunction(broadcast(a.mask, i, rank) for i, a in enumerate(parents))
        longest = self.k.names.fresh(f"longest_{suffix}" if suffix else "longest")
        self.k.emit(
            assign(longest, expr("tl.max(tl.where(m, v, 0))", m=inside, v=lengths.code)), line
        )
        start = self.k.names.fresh(f"begin_{suffix}" if suffix else "begin")
        self.k.emit(f"for {start} in range(0, {longest}, {block_name}):", line)
        self.k.depth += 1
        self.k.emit(f"{offsets} = {start} + tl.arange(0, {block_name}).to(INDEX_DTYPE)", line)
        within = expr(
            "o < n",
            o=broadcast(offsets, rank, rank + 1),
            n=ast.Subscript(
                value=lengths.code,
                slice=ast.Tuple(elts=[ast.Slice()] * rank + [ast.Constant(value=None)]),
            ),
        )
        self.k.emit(assign(mask, within), line)
        axis = Axis(
            offsets,
            mask,
            block_name,
            ast.Name(id=longest),
            ast.Name(id=start),
            expr("s // b", s=start, b=block_name),
            target,
            parents=tuple(parents),
        )
        self.k.all_axes.append(axis)
        self.k.scope[target] = Value(TILE, axis=axis)
