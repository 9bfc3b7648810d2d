"""Block sizes of tile loops: the config's, the user's, or a default that fits the kernel."""

from __future__ import annotations

import builtins
import re
from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import TileArgumentError
from ..frontend.host_sizes import literal_int
from .argument_checks import power_of_two_check
from .explicit_blocks import launcher_block, names_in, outer_tile_block
from .repeated_tiles import cap_repeated_blocks, other_axes_share
from .values import Axis

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# a top-level tile's default blocks by its rank, where no whole dimension or inner loop asks less
_DEFAULT_BLOCKS = {1: [1024], 2: [32, 32], 3: [8, 8, 16]}


class LoopBlocks:
    """Each loop dimension's BLOCK constexpr: an explicit or config size, else a default
    beside whole dimensions and products; the launcher's blocks in order."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def next_block_size(self, explicit, default: str, name: str = "") -> str:
        var = self.k.registered_blocks.block_size_var(explicit)
        if var is not None and var in self.k.registered_sizes:  # the config's size for it
            self.k.explicit_blocks.add(name)
            self.k.config_blocks.add(name)
            return str(self.k.registered_sizes[var])
        if explicit is not None:
            self.k.explicit_blocks.add(name)
            host_name = isinstance(explicit, cst.Name) and explicit.value in self.k.host.names
            if host_name:  # an argument, a host size (`n = hl.specialize(n)`)
                self.k.argument_checks.append(power_of_two_check(explicit.value))
            elif self.host_expression(explicit):  # `block_size=x.size(0)`
                line = self.k.source.line_of(explicit)
                text = self.k.source.code(explicit)
                self.k.argument_checks.append(power_of_two_check(text, line))
            return self.k.source.code(explicit)
        if self.k.block_sizes:
            chosen = self.k.block_sizes.pop(0)
            if chosen is not None:
                self.k.explicit_blocks.add(name)
                self.k.config_blocks.add(name)
                return str(chosen)
        return default

    def host_expression(self, node: cst.BaseExpression) -> bool:
        """A computed value the launcher can evaluate before the launch: no literal, names of
        host values and modules only (`x.size(0)`, `helion.next_power_of_2(n)`; not a tile's
        `.block_size`)."""
        if literal_int(node) is not None:
            return False
        names = names_in(node)
        return bool(names) and all(
            n.value in self.k.host.names
            or n.value in vars(builtins)  # min(64, n), int(n)
            or self.k.aliases.qualified(n) is not None  # helion.next_power_of_2(n)
            for n in names
        )

    def inner_block(
        self, wanted: str, explicit_blocks: list, step: str = "64", beside: tuple[str, ...] = ()
    ) -> str:
        explicit = explicit_blocks[0] if explicit_blocks else None
        var = self.k.registered_blocks.block_size_var(explicit)
        if var is not None:  # the BLOCK hl.zeros([..., block_size_n]) shapes use too
            self.k.registered_roles.setdefault(var, "inner")
            return self.k.registered_blocks.block_size_constexpr(var)
        same = outer_tile_block(self.k, explicit)  # block_size=tile_m.block_size
        if same is not None:
            return same
        if explicit is not None:
            explicit = launcher_block(self.k, explicit)
        if wanted in self.k.inner_loop_blocks:  # a later loop of the same tile name: same block
            return wanted
        default = self.rows_beside_whole_axes(beside=beside) if self.k.full_axes else step
        # fresh: BLOCK_N may already be a whole dimension's block (`x[tile_m, :]` over n)
        name = self.k.constexpr(wanted, "")
        self.k.inner_loop_blocks.add(name)
        if explicit is None:
            self.k.tile_blocks.append(name)
            self.k.inner_blocks.add(name)
            self.k.inner_beside[name] = beside
        self.k.constexprs[name] = self.next_block_size(explicit, default, name)
        return name

    def finish_blocks(self, blocks: list, count: int) -> None:
        defaults = _DEFAULT_BLOCKS.get(count, [16] * count)
        for (name, explicit), default in zip(blocks, defaults):
            if self.k.has_inner_tiles:
                fallback = "16" if count == 1 else "8"
            elif self.k.full_axes and (count == 1 or name == blocks[-1][0]):
                fallback = self.rows_beside_whole_axes(name)
            elif self.k.full_axes:
                fallback = "1"
            else:
                fallback = str(default)
            self.k.constexprs[name] = self.next_block_size(explicit, fallback, name)
        if self.k.full_axes:  # inner steps defaulted before a whole dimension was met
            for name in self.k.inner_blocks - self.k.explicit_blocks:
                if self.k.constexprs.get(name) == "64":
                    beside = self.k.inner_beside.get(name, ())
                    self.k.constexprs[name] = self.rows_beside_whole_axes(name, beside)
        for axis, role in self.k.dot_axes.items():  # tl.dot wants 16 or more along M, N and K
            if role == "k" and axis.block in self.k.config_blocks:  # Triton's GPU compiler wants
                # K >= 16 (the interpreter takes less): a config's K block rises to 16, as
                # Helion's config normalisation raises it to the dot's minimum
                chosen = self.k.constexprs[axis.block]
                self.k.constexprs[axis.block] = str(max(16, int(chosen)))
            elif role == "k" and axis.block in self.k.explicit_blocks:
                self.check_dot_k_block(axis)
            if axis.block not in self.k.constexprs or axis.block in self.k.explicit_blocks:
                continue
            whole = self.k.whole_axes.is_full_axis(axis)  # a whole dimension keeps all its lanes
            if role == "batch" and not whole:  # a 3-D product's batch tile: small (shared memory)
                self.k.constexprs[axis.block] = "2"
                continue
            if whole and role == "k":  # K: 16 lanes or more
                self.k.constexprs[axis.block] = f"max(16, {self.k.constexprs[axis.block]})"
            elif whole:  # M, N or a batch: the dimension's own lanes (tl.dot
                continue  # takes M, N >= 1; an accumulator hl.zeros([2, tile_n]) has 2 rows)
            else:
                three_d = "batch" in self.k.dot_axes.values()
                narrow = self.k.narrow_blocks.get(axis.block)  # its product's other side whole
                self.k.constexprs[axis.block] = narrow or ("32" if three_d or role == "k" else "64")
        cap_repeated_blocks(self.k)  # a tile on several axes of one value: a smaller block
        # blocks before the launch: full-axis blocks first, then tiles that may depend on them
        ordered = {k: v for k, v in self.k.constexprs.items() if k not in dict(blocks)}
        ordered.update({k: self.k.constexprs[k] for k, _ in blocks})
        ordered = after_what_they_read(ordered)
        # INDEX_DTYPE comes from check_tensors, among the launcher's checks (rank_checks)
        self.k.constexprs = {"INDEX_DTYPE": "INDEX_DTYPE", **ordered}
        self.k.host_helpers.add("check_tensors")

    def rows_beside_whole_axes(self, name: str = "", beside: tuple[str, ...] = ()) -> str:
        """A tile's default block beside whole dimensions: about 4096 elements a program (or
        an inner loop's step), so a wide row is not held 32 rows at a time (32 × 8192 lanes
        compile for minutes in ptxas and spill). A tile on several axes of one value shares
        them with its other axes (repeated_tiles.py: `128 // BLOCK_N` on two, capped at 32);
        an inner step whose every value also spans the enclosing tiles (`beside`, their
        blocks: hl.jagged_tile's) shares them with those."""
        blocks = [a.block for a in self.k.full_axes.values()] + list(beside)
        budget = 4096 // other_axes_share(self.k, name)
        full = " * ".join(blocks)
        return f"max(1, {budget} // ({full}))" if len(blocks) > 1 else f"max(1, {budget} // {full})"

    def check_dot_k_block(self, axis: Axis) -> None:
        """A block the user fixed along a product's K: Triton's GPU compiler wants 16 lanes or
        more there (its interpreter takes fewer). A literal below 16 is refused here; a host
        value is checked at launch."""
        chosen = self.k.constexprs.get(axis.block, "")
        message = f"the product's K dimension ({axis.label}) has blocks of {chosen}"
        hint = "Triton's GPU compiler needs 16 or more lanes along K: use block_size=16 (or more)"
        if chosen.isdigit():
            if int(chosen) < 16:
                raise self.k.source.error(
                    TileArgumentError, self.k.dot_k_nodes[axis], message, hint=hint
                )
            return
        text = f"{chosen} must be at least 16: the block of a product's K (16 lanes on a GPU)"
        self.k.argument_checks.append(f'require(({chosen}) >= 16, lambda: "{text}")')
        self.k.host_helpers.add("require")


def after_what_they_read(constexprs: dict[str, str]) -> dict[str, str]:
    """The launcher's block assignments in order, each after the blocks its value reads
    (`BLOCK_MB = max(1, 4096 // BLOCK_N)` after `BLOCK_N = ...`); otherwise as given."""
    placed: dict[str, str] = {}
    waiting = dict(constexprs)
    while waiting:
        for name, value in waiting.items():
            reads = {n for n in waiting if n != name and re.search(rf"\b{n}\b", value)}
            if not reads:
                break
        else:  # a cycle cannot happen; keep the given order if it somehow does
            name, value = next(iter(waiting.items()))
        placed[name] = waiting.pop(name)
    return placed
