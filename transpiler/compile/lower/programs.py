"""How a device loop's programs take its tiles (config pid_type): one each, or persistent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from ..frontend.errors import UnsupportedConstructError
from ..frontend.source import Source
from .config_literals import PID_TYPES, config_value

FIRST_PROGRAM = "tl.program_id(0).to(INDEX_DTYPE)"


@dataclass(frozen=True)
class PersistentLoop:
    """What a persistent program's loop over tiles needs from lowering."""

    pid: str  # the name each tile's index takes (the program's `pid = ...` line's target)
    programs: str  # NUM_PROGRAMS: the launcher's count of resident programs
    tiles: str  # the name of the tile count
    total: str  # kernel code for the tile count
    flatten: bool  # pipeline the inner loops' loads across tiles (`flatten=True`)


@dataclass(frozen=True)
class PersistentPrograms:
    """pid_type "persistent_interleaved" / "persistent_blocked": NUM_PROGRAMS programs (one per
    SM) stay resident and walk the tiles, every NUM_PROGRAMS-th one ("interleaved") or a run of
    neighbours ("blocked"), so the next tile's loads overlap this one's epilogue."""

    order: str

    def loop_lines(self, loop: PersistentLoop, fresh: Callable[[str], str]) -> list[str]:
        """The lines that replace the program's `pid = ...` line: the loop over its tiles."""
        flatten = ", flatten=True" if loop.flatten else ""
        programs, tiles = loop.programs, loop.tiles
        if self.order == "interleaved":
            return [
                f"# persistent: {programs} programs, each taking every {programs}-th tile",
                f"{tiles} = {loop.total}",
                f"for {loop.pid} in tl.range({FIRST_PROGRAM}, {tiles}, {programs}{flatten}):",
            ]
        per, first = fresh("tiles_per_program"), fresh("first_tile")
        last = f"tl.minimum({first} + {per}, {tiles})"
        return [
            f"# persistent: {programs} programs, each taking a run of neighbouring tiles",
            f"{tiles} = {loop.total}",
            f"{per} = tl.cdiv({tiles}, {programs})",
            f"{first} = {FIRST_PROGRAM} * {per}",
            f"for {loop.pid} in tl.range({first}, {last}{flatten}):",
        ]

    @staticmethod
    def grid(programs: str, grid: list[str]) -> list[str]:
        """NUM_PROGRAMS programs, or fewer when there are fewer tiles."""
        return [f"min({programs}, {' * '.join(grid) or '1'})"]


def persistent_programs(
    source: Source, loop: cst.For, settings: dict[str, object]
) -> PersistentPrograms | None:
    """The persistent strategy the config's pid_type asks for, or None: one program per tile
    ("flat", "xyz", no pid_type, or a @triton.autotune list, which varies block sizes only).
    An unknown pid_type is refused at the loop."""
    pid_type = config_value(settings, "pid_type")
    if pid_type is None:
        return None
    if pid_type not in PID_TYPES:
        raise source.error(
            UnsupportedConstructError,
            loop,
            f"pid_type={pid_type!r} in the config",
            hint=f"one of {', '.join(map(repr, PID_TYPES))}",
        )
    order = PID_TYPES[pid_type]
    if order is None or settings.get("autotune_configs"):
        return None
    return PersistentPrograms(order)
