"""The cost of a launch (FLOPs, bytes), counted from what its device loops do, kept as data."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ...compile.emit.lines import BlockDefault
from ...compile.lower.repeated_tiles import default_cap


@dataclass(frozen=True)
class Cost:
    """FLOPs and bytes of one launch; `dot_flops` is the part done by matrix products."""

    flops: float
    min_bytes: float  # each input read once, each output written once
    tiled_bytes: float  # every load and store as the tiling issues it (re-reads counted)
    dot_flops: float = 0.0

    @property
    def arithmetic_intensity(self) -> float:
        """FLOPs per byte of the minimum traffic."""
        return self.flops / self.min_bytes if self.min_bytes else float("inf")

    @property
    def tiled_intensity(self) -> float:
        """FLOPs per byte as tiled."""
        return self.flops / self.tiled_bytes if self.tiled_bytes else float("inf")


@dataclass(frozen=True)
class Dim:
    """One dimension of a device value: a tile's block, a whole tensor dimension, or a constant."""

    size: int = 1
    tile: str | None = None  # loop key: a block of that tile loop
    block_of: str | None = None  # loop key: `hl.arange(tile.block_size)`, as long as the block

    @property
    def is_one(self) -> bool:
        return self.tile is None and self.block_of is None and self.size == 1


@dataclass(frozen=True)
class Loop:
    """A device loop: its extent, and whether it steps by a block (`hl.tile`) or by one."""

    key: str  # unique per loop
    block_name: str  # loops with one name share a block size, as the lowering's BLOCK_* do
    extent: int
    tiled: bool
    explicit_block: int | None = None
    top: int | None = None  # index of the top-level loop this is (or is inside)
    outer: bool = False  # a dimension of a top-level loop (one program per block)


@dataclass(frozen=True)
class Work:
    """`flops_per_element` over the iteration space `dims`, inside `loops`."""

    flops_per_element: float
    dims: tuple[Dim, ...]
    loops: tuple[str, ...]
    dot: bool = False


@dataclass(frozen=True)
class Access:
    """A load or store of a host tensor (`tensor`: its storage, shared by views)."""

    tensor: str
    store: bool
    dims: tuple[Dim, ...]
    loops: tuple[str, ...]
    scalar_loops: tuple[str, ...]  # loops whose index selects the element (hl.grid, range)
    element_size: int
    storage_elements: int


@dataclass
class KernelWork:
    """Everything one launch of a kernel does; `cost(block_sizes)` counts it."""

    name: str
    loops: dict[str, Loop] = field(default_factory=dict)
    work: list[Work] = field(default_factory=list)
    accesses: list[Access] = field(default_factory=list)
    config_blocks: list[int | None] = field(default_factory=list)  # Config(block_sizes=[...])
    whole_sizes: dict[int, set[int]] = field(default_factory=dict)  # top loop → `:` sizes loaded
    # lowering's tunable blocks (Transpiled.block_defaults): config order, tile, launcher default
    lowered: tuple[BlockDefault, ...] = ()

    def block_names(self) -> list[str]:
        """Block names in the order of a config's `block_sizes`: lowering's (its tunables, each
        by the tile it steps) when known, then the tiles it does not tune (an explicit
        `block_size=`) in order of first appearance."""
        names = [b.tile or b.name for b in self.lowered]
        for loop in self.loops.values():
            if loop.tiled and loop.block_name not in names:
                names.append(loop.block_name)
        return names

    def launcher_defaults(self) -> dict[str, int]:
        """Tile → the block size the launcher sets when no config gives one, where lowering
        wrote it as a number (`BLOCK_M = 64`)."""
        return {
            b.tile: int(b.launcher)
            for b in self.lowered
            if b.tile is not None and b.launcher is not None and b.launcher.isdigit()
        }

    def block_sizes(
        self, given: Mapping[str, int] | Sequence[int | None] | None = None
    ) -> dict[str, int]:
        """Block size per block name: explicit `block_size=`, then `given`, then the config,
        then the launcher's default (lowering's, `launcher_defaults`; a default the launcher
        computes from whole dimensions' blocks, `max(1, 4096 // BLOCK_N)`, and any default of a
        kernel analysed without lowering's blocks: `_default_block`, lowering's rule)."""
        names = self.block_names()
        chosen: dict[str, int] = {}
        for source in (self.config_blocks, given):
            if isinstance(source, Mapping):
                chosen.update({k: int(v) for k, v in source.items() if v is not None})
            elif source:
                chosen.update({n: int(v) for n, v in zip(names, source) if v is not None})
        sizes: dict[str, int] = {}
        launched = self.launcher_defaults()
        tuned = {b.tile for b in self.lowered}  # hl.register_block_size's: the config's too
        for loop in self.loops.values():
            if not loop.tiled or loop.block_name in sizes:
                continue
            if loop.explicit_block is not None and loop.block_name not in tuned:
                sizes[loop.block_name] = loop.explicit_block
            elif loop.block_name in chosen:
                sizes[loop.block_name] = chosen[loop.block_name]
            elif loop.block_name in launched:
                sizes[loop.block_name] = launched[loop.block_name]
            elif loop.explicit_block is not None:
                sizes[loop.block_name] = loop.explicit_block
            else:
                sizes[loop.block_name] = self._default_block(loop)
        return sizes

    def repeated_axes(self) -> dict[str, int]:
        """Block name → the most axes one value gives it, where several (lowering caps their
        defaults: lower/repeated_tiles.py): lowering's count, or the walk's own (a kernel
        analysed from source alone)."""
        axes = {b.tile: b.axes for b in self.lowered if b.tile is not None and b.axes > 1}
        for item in [*self.work, *self.accesses]:
            names = [self.loops[d.tile].block_name for d in item.dims if d.tile in self.loops]
            for name in set(names):
                if names.count(name) > 1:
                    axes[name] = max(axes.get(name, 1), names.count(name))
        return axes

    def _default_block(self, loop: Loop) -> int:
        """Lowering's default rule (lower/loop_blocks.py), for defaults not known as numbers here:
        tests/test_perf_blocks.py checks it against the launcher's numbers. A block on several
        axes of one value is capped (lower/repeated_tiles.py)."""
        axes = self.repeated_axes().get(loop.block_name, 1)
        default = self._uncapped_block(loop, axes)
        return default if axes < 2 else min(default, default_cap(axes))

    def _uncapped_block(self, loop: Loop, axes: int) -> int:
        """Lowering's default before the cap of a block on several axes (`axes`: a row tile on
        two shares its rows' budget with its other axis)."""
        role = self._dot_roles().get(loop.key)
        if role is not None and not self.whole_sizes.get(loop.top):
            return 64 if role == "mn" else 32  # tl.dot wants 16 or more along M, N and K
        if not loop.outer:
            return 32 if self.whole_sizes.get(loop.top) else 64
        outer = [o for o in self.loops.values() if o.outer and o.top == loop.top]
        has_inner = any(o.tiled and not o.outer and o.top == loop.top for o in self.loops.values())
        if has_inner:
            return 16 if len(outer) == 1 else 8
        whole = self.whole_sizes.get(loop.top)
        if whole and len(outer) == 1:
            product = 1
            for size in whole:
                product *= _next_power_of_2(size)
            return max(1, 4096 // default_cap(axes) ** (axes - 1) // product)
        defaults = {1: [1024], 2: [32, 32], 3: [8, 8, 16]}.get(len(outer), [16] * len(outer))
        return defaults[[o.key for o in outer].index(loop.key)]

    def _dot_roles(self) -> dict[str, str]:
        """Loop key → "mn" or "k" for the tile loops that matrix products run over."""
        roles: dict[str, str] = {}
        for item in self.work:
            if item.dot:
                for dim in item.dims[:-1]:
                    if dim.tile is not None:
                        roles.setdefault(dim.tile, "mn")
                if item.dims[-1].tile is not None:
                    roles[item.dims[-1].tile] = "k"
        return roles

    def cost(self, block_sizes: Mapping[str, int] | Sequence[int | None] | None = None) -> Cost:
        blocks = self.block_sizes(block_sizes)
        flops = dot_flops = 0.0
        for item in self.work:
            amount = item.flops_per_element * self._count(item.dims, item.loops, blocks)
            flops += amount
            dot_flops += amount if item.dot else 0.0
        tiled = sum(a.element_size * self._count(a.dims, a.loops, blocks) for a in self.accesses)
        footprints: dict[tuple[str, bool], float] = {}
        for access in self.accesses:
            elements = min(self._footprint(access, blocks), access.storage_elements)
            key = (access.tensor, access.store)
            footprints[key] = max(footprints.get(key, 0.0), elements * access.element_size)
        return Cost(flops, float(sum(footprints.values())), float(tiled), dot_flops)

    def _block(self, key: str, blocks: dict[str, int]) -> int:
        loop = self.loops[key]
        return min(blocks[loop.block_name], max(loop.extent, 1))

    def _iterations(self, key: str, blocks: dict[str, int]) -> int:
        loop = self.loops[key]
        return -(-loop.extent // blocks[loop.block_name]) if loop.tiled else loop.extent

    def _count(self, dims: tuple[Dim, ...], loops: tuple[str, ...], blocks: dict) -> int:
        """Elements over all programs and iterations: a tile dimension inside its own loop
        covers the loop's extent once; other loops repeat the work."""
        total, covered = 1, set()
        for dim in dims:
            if dim.tile is not None and dim.tile in loops and dim.tile not in covered:
                total *= self.loops[dim.tile].extent
                covered.add(dim.tile)
            elif dim.tile is not None:
                total *= self._block(dim.tile, blocks)
            elif dim.block_of is not None:
                total *= self._block(dim.block_of, blocks)
            else:
                total *= dim.size
        for key in loops:
            if key not in covered:
                total *= self._iterations(key, blocks)
        return total

    def _footprint(self, access: Access, blocks: dict) -> int:
        """Distinct elements an access touches over the whole launch."""
        total, covered = 1, set()
        for dim in access.dims:
            if dim.tile is not None and dim.tile not in covered:
                total *= self.loops[dim.tile].extent
                covered.add(dim.tile)
            elif dim.tile is not None:
                continue
            elif dim.block_of is not None:
                total *= self._block(dim.block_of, blocks)
            else:
                total *= dim.size
        for key in access.scalar_loops:
            total *= self.loops[key].extent
        return total


def launcher_block_sizes(code: str, names: Sequence[str]) -> dict[str, int]:
    """Block sizes a generated module's launchers set as integers (`BLOCK_M = 64`, or joined:
    `BLOCK_K, BLOCK_M = 16, 64`), by block name (`tile_m` → `BLOCK_M`, `tile` → `BLOCK_SIZE`);
    other names keep their defaults."""
    constants: dict[str, int] = {}
    for node in ast.walk(ast.parse(code)):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target, value = node.targets[0], node.value
        pairs = (
            zip(target.elts, value.elts)
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)
            else [(target, value)]
        )
        for name, number in pairs:
            if (
                isinstance(name, ast.Name)
                and name.id.startswith("BLOCK_")
                and isinstance(number, ast.Constant)
                and type(number.value) is int
            ):
                constants[name.id] = number.value
    found: dict[str, int] = {}
    for name in names:
        suffix = name.removeprefix("tile").lstrip("_").upper() or "SIZE"
        if f"BLOCK_{suffix}" in constants:
            found[name] = constants[f"BLOCK_{suffix}"]
    return found


def _next_power_of_2(n: int) -> int:
    return 1 if n <= 1 else 1 << (n - 1).bit_length()
