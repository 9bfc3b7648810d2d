"""Block sizes from `hl.register_block_size`: one constexpr shared by the loops and shapes using it.

`block_size_n = hl.register_block_size(n)` on the host gives a block size the device code may
use twice: as a shape (`hl.zeros([tile_m, block_size_n])`) and as an inner loop's block
(`hl.tile(n, block_size=block_size_n)`). Both are `BLOCK_SIZE_N`. The shape's dimension is an
axis of its own (`Axis.block_var`): every lane valid, no mask. It meets the tiles of that block
size: lanes a tile leaves outside the tensor keep the accumulator's value (`acc += x[tile]`
adds the zeros the load put there; other updates go through `tl.where(mask_n, new, acc)`,
also `acc = acc + 1` inside the loop). A number put in the lanes outside such a loop fills
BLOCK_SIZE_N lanes where the eager run has n: a sum over them is refused.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import conjunction, expr
from ..frontend.errors import UnsupportedConstructError
from .values import BLOCK, CONST, TILE, TILES, Axis, Dims, Value, triton_position

if TYPE_CHECKING:
    from .kernel import KernelBuilder


def block_lanes(dims) -> frozenset:
    """The block-size axes among `dims` (`hl.zeros([tile_m, block_size_n])`'s second)."""
    return frozenset(d for d in dims if d is not None and d.block_var)


class RegisteredBlocks:
    """`block_size_var`, `block_size_constexpr`, `block_size_axis`, and how their lanes combine."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def block_size_var(self, node: cst.CSTNode | None) -> str | None:
        """The host variable `node` names, if `hl.register_block_size` made it."""
        if not isinstance(node, cst.Name) or node.value in self.k.scope:
            return None
        return node.value if node.value in self.k.host.block_size_vars else None

    def block_size_constexpr(self, var: str) -> str:
        """`BLOCK_SIZE_N` for `block_size_n`: the launcher sets it to the host value."""
        if var not in self.k.block_var_constexprs:
            wanted = var.upper() if var.upper().startswith("BLOCK") else f"BLOCK_{var.upper()}"
            name = self.k.constexpr(wanted, str(self.k.registered_sizes.get(var, var)))
            self.k.explicit_blocks.add(name)
            self.k.block_var_constexprs[var] = name
        return self.k.block_var_constexprs[var]

    def take_registered_sizes(self) -> None:
        """Helion numbers the block sizes `hl.register_block_size` makes before the tiles (the
        host code runs first): a config's first block_sizes are theirs, in the order made."""
        self.k.registered_sizes: dict[str, int] = {}
        if self.k.block_offset:
            return
        registered = [v for v in self.k.host.registered_order if v in self.k.host.block_size_vars]
        taken = self.k.block_sizes[: len(registered)]
        self.k.registered_sizes = {v: s for v, s in zip(registered, taken) if s is not None}
        del self.k.block_sizes[: len(registered)]

    def block_size_axis(self, var: str) -> Axis:
        """The dimension `hl.zeros([..., block_size_n])` gives: BLOCK_SIZE_N lanes, all valid."""
        if var not in self.k.block_var_axes:
            block = self.block_size_constexpr(var)
            zero = ast.Constant(value=0)
            self.k.block_var_axes[var] = Axis(
                "", "", block, ast.Name(id=block), zero, zero, var, block_var=var
            )
        return self.k.block_var_axes[var]

    def pick_axis(self, x: Axis | None, y: Axis | None) -> Axis | None:
        """Of two axes broadcast together, the one the result spans: a tile over the block-size
        axis it fills (the tile's mask then says which lanes are valid)."""
        if x is None:
            return y
        if y is not None and x.block_var and not y.block_var:
            return y
        return x

    def kept_block_lanes(self, op_name: str, left: Value, right: Value, dims: Dims) -> Dims:
        """`acc + x[tile_n]` where `acc` spans block_size_n and the load is zero outside the
        tensor: lanes outside it keep `acc`'s value, so the sum spans block_size_n again."""
        if op_name not in ("Add", "Subtract"):
            return dims
        rank = len(dims)
        a = (None,) * (rank - left.rank) + left.dims
        b = (None,) * (rank - right.rank) + right.dims
        kept = list(dims)
        for position, (x, y) in enumerate(zip(a, b)):
            pairs = [(x, y, right)] if op_name == "Subtract" else [(x, y, right), (y, x, left)]
            for lanes, tile, added in pairs:
                if (
                    lanes is not None
                    and tile is not None
                    and lanes.block_var
                    and not tile.block_var
                    and tile.block == lanes.block
                    and tile in added.zero_outside
                ):
                    kept[position] = lanes
        return tuple(kept)

    def filled_by(self, op_name: str, left: Value, right: Value, dims: Dims) -> frozenset:
        """The block-size lanes `acc + c` fills outside any loop over their block size: a
        number (or a value without those lanes) added to or taken from them."""
        if op_name not in ("Add", "Subtract"):
            return frozenset()
        filled = set()
        for lanes in block_lanes(dims):
            for operand in (left, right):
                zero = operand.kind == CONST and operand.const == 0
                spans = operand.kind == BLOCK and lanes in operand.dims
                if not spans and not zero and self.open_tile(lanes) is None:
                    filled.add(lanes)
        return frozenset(filled)

    def refuse_filled_sum(self, op, value: Value, axes, node) -> None:
        """A sum, mean, var or std over block-size lanes a number filled outside the loop over
        them: an eager run counts it n times, the kernel once per lane of the block."""
        if op.looped not in ("sums", "welford"):
            return
        for lanes in (a for a in axes if a is not None and a in value.filled_lanes):
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"{op.name} over the lanes of {lanes.label}, which hold a number put there "
                f"outside a loop over that block size: the kernel has {lanes.block} such lanes, "
                "the eager run n",
                hint="start from hl.zeros and add inside `for tile in hl.tile(n, "
                f"block_size={lanes.label})`, or add the number times n after the {op.name}",
            )

    def keep_lanes_of(self, old: Value, new: Value) -> tuple[ast.expr, Dims] | None:
        """A new value for a name spanning block-size axes where the old one did: the mask of
        the tiles standing in their place, and the dims with the block-size axes back."""
        if old.rank != new.rank:
            return None
        masks, dims = [], list(new.dims)
        for position, (before, after) in enumerate(zip(old.dims, new.dims)):
            if before is None or after is None or not before.block_var:
                continue
            # the tile filling the lanes: the new value's own, or (`acc = acc + 1`, the value
            # still all lanes) the open loop's tile of this block size, whose lanes they are
            alone = after is before and before not in new.lanes_kept
            tile = after if after.masked else self.open_tile(before) if alone else None
            if tile is not None and tile.block == before.block:
                place = triton_position(new.dims, position)
                masks.append(
                    self.k.indexing.place_mask(tile, place, new.dims, self.k.source.current)
                )
                dims[position] = before
        if not masks:
            return None
        return conjunction(masks), tuple(dims)

    def open_tile(self, lanes: Axis) -> Axis | None:
        """The tile of a loop open here whose block size is the lanes' (`for tile_n in
        hl.tile(n, block_size=block_size_n)`): lane j of `acc` is index j of that tile."""
        for value in self.k.scope.values():
            tiles = value.items if value.kind == TILES else (value,)
            for tile in tiles:
                axis = tile.axis if tile.kind == TILE else None
                if axis is not None and axis.masked and axis.block == lanes.block:
                    return axis
        return None

    def keep_block_lanes(self, name: str, new: Value) -> Value:
        """`acc = tl.where(mask_n, new, acc)` when `acc` spans block_size_n and `new` spans the
        tile filling it: lanes outside the tensor keep what they held."""
        old = self.k.scope.get(name)
        if old is None or old.code is None or new.code is None:
            return new
        kept = self.keep_lanes_of(old, new)
        if kept is None:
            return new
        mask, dims = kept
        code = expr("tl.where(m, v, a)", m=mask, v=new.code, a=ast.Name(id=name))
        return new.with_code(code, dims=dims, zero_outside=frozenset())
