"""A config's lists checked against what the kernel has: Helion gives `loop_orders`,
`reduction_loops`, `l2_groupings`, the `range_*` lists ... one entry per loop (or dimension)
of a kind and refuses a config naming more ("Too many values for config[...]"); fewer take
the defaults. Here too: an entry past the kernel's count would be silently ignored."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from ..ops.hl import HL_BY_NAME, JAGGED_LOOPS, LANES
from .aliases import LANGUAGE, Aliases
from .config_check import config_fields
from .errors import ConfigError
from .kernels import KernelFunction, device_loop_kind
from .source import Source


@dataclass(frozen=True)
class Loop:
    """A device loop as Helion's config spec counts it."""

    lanes: bool  # hl.tile's (blocks of lanes), not hl.grid's (one index)
    dims: int | None  # None: known only from the arguments' ranks, not given
    outer: bool  # a top-level loop: the kernel's grid
    begins: bool  # hl.tile(begin, end): no flatten_loops entry


def _ranges(loop: Loop) -> int | None:
    """A loop's entries of each range_* list: one for the grid, one per dimension inside."""
    return 1 if loop.outer else loop.dims


def _sum(loops: list[Loop], entries: Callable[[Loop], int | None]) -> int | None:
    counts = [entries(loop) for loop in loops]
    return None if None in counts else sum(counts)


def _several(loop: Loop) -> int | None:
    return None if loop.dims is None else int(loop.dims > 1)


# key → (what one entry is for, the kernel's count of them from its loops)
RANGES = (
    "one per device loop, one per dimension of a loop inside one",
    lambda ls: _sum(ls, _ranges),
)
COUNTS: dict[str, tuple[str, Callable[[list[Loop]], int | None]]] = {
    "loop_orders": ("one per loop over several dimensions", lambda ls: _sum(ls, _several)),
    "flatten_loops": (
        "one per hl.tile loop over several dimensions",
        lambda ls: _sum([lp for lp in ls if lp.lanes and not lp.begins], _several),
    ),
    "l2_groupings": (
        "one per device loop over several dimensions",
        lambda ls: _sum([lp for lp in ls if lp.outer], _several),
    ),
    "range_unroll_factors": RANGES,
    "range_num_stages": RANGES,
    "range_multi_buffers": RANGES,
    "range_flattens": RANGES,
    "range_warp_specializes": RANGES,
    "static_ranges": RANGES,  # at most: Helion's are the inner loops of constant bounds
}  # fmt: skip


def kernel_loops(kernel: KernelFunction, aliases: Aliases, rank: Callable) -> list[Loop]:
    """The kernel's hl.tile / hl.grid loops, outer ones and those inside them (with the inner
    `range` loops, Helion's hl.grid there, and hl.jagged_tile's), in order."""
    found: list[Loop] = []
    for outer in kernel.loops:
        for loop in [outer, *m.findall(outer.body, m.For())]:
            lanes = _lanes(loop, aliases, inner=loop is not outer)
            if lanes is not None:
                found.append(Loop(lanes, _dims(loop, rank), loop is outer, _begins(loop)))
    return found


def _lanes(loop: cst.For, aliases: Aliases, inner: bool) -> bool | None:
    """Whether a device loop's tiles are blocks of lanes (hl.tile's, hl.jagged_tile's) or
    indices (hl.grid's, an inner `range`'s); None for no device loop."""
    kind = device_loop_kind(loop, aliases)
    if kind is not None:
        return HL_BY_NAME[kind].each == LANES
    if not (inner and isinstance(loop.iter, cst.Call)):
        return None
    if m.matches(loop.iter.func, m.Name("range")):
        return False
    qualified = aliases.qualified(loop.iter.func) or ""
    jagged = {f"{LANGUAGE}.{name}" for name in JAGGED_LOOPS}
    return True if qualified in jagged else None


def _begins(loop: cst.For) -> bool:
    return sum(1 for arg in loop.iter.args if arg.keyword is None) > 1


def _dims(loop: cst.For, rank: Callable) -> int | None:
    """`for a, b in ...`: 2; `hl.tile([m, n])`: 2; `hl.tile(x.size())`: x's rank; else 1."""
    if isinstance(loop.target, (cst.Tuple, cst.List)):
        return len(loop.target.elements)
    sizes = [arg.value for arg in loop.iter.args if arg.keyword is None][-1:]
    if not sizes:
        return None
    if isinstance(sizes[0], (cst.List, cst.Tuple)):
        return len(sizes[0].elements)
    if m.matches(sizes[0], _WHOLE_SIZE):
        return rank(sizes[0].func.value.value)
    if m.matches(sizes[0], _SHAPE):
        return rank(sizes[0].value.value)
    return 1


_WHOLE_SIZE = m.Call(func=m.Attribute(value=m.Name(), attr=m.Name("size")), args=[])
_SHAPE = m.Attribute(value=m.Name(), attr=m.Name("shape"))


def check_config_counts(
    source: Source,
    kernel: KernelFunction,
    aliases: Aliases,
    rank: Callable,
    whole_dims: int,
) -> None:
    """Each list of `config=` / `configs=[...]` no longer than the kernel's count of what it
    sets (`whole_dims`: the whole dimensions reduction_loops chunks, as lowering met them)."""
    loops = kernel_loops(kernel, aliases, rank)
    counts = {key: (what, count(loops)) for key, (what, count) in COUNTS.items()}
    counts["reduction_loops"] = ("one per whole dimension (`:`) of the device code", whole_dims)
    for text in _config_texts(kernel.settings):
        fields = config_fields(text) or {}
        for key, (what, count) in counts.items():
            values = fields.get(key)
            if count is None or not isinstance(values, (list, tuple)) or len(values) <= count:
                continue
            raise source.error(
                ConfigError,
                kernel.node.decorators[0] if kernel.node.decorators else kernel.node.name,
                f"{key}={list(values)} gives {len(values)} entries; {kernel.name} has "
                f"{count} ({what})",
                hint=f"drop the extra entries: {key}={list(values)[:count]} (Helion refuses "
                "more too; fewer take the defaults)",
            )


def _config_texts(settings: dict[str, object]) -> list[str]:
    """The config's text and each of `configs=[...]`'s."""
    texts = [settings["config"]] if isinstance(settings.get("config"), str) else []
    listed = settings.get("configs")
    if isinstance(listed, str):
        try:
            tree = ast.parse(listed, mode="eval").body
        except SyntaxError:
            return texts
        if isinstance(tree, (ast.List, ast.Tuple)):
            texts += [ast.unparse(element) for element in tree.elts]
    return texts
