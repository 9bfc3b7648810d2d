"""A device loop's plan: the facts its lowering reads, completed by the shape analysis before it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from .host_tails import Tail
from .shape_meeting import ShapeFacts


@dataclass(frozen=True)
class LoopPlan:
    """What lowering one device loop reads besides the source and the host facts.

    Given by the kernel around the loop: `block_offset` / `whole_offset` (config block sizes and
    reduction_loops entries the kernel's earlier loops took), `later_host_names` (names host
    code after the loop reads), `callables` (callable parameters to inline), `tail` (a host
    sum / mean of the loop's output fused into it: each run fills in its names anew).
    Found by the shape analysis (shapes.py, `planned`): `key_aliases` (size key → the key of
    the whole-dimension axis standing for it: sizes only the launcher's check shows equal),
    `squeeze_units` (block-size-1 tiles get no Triton dimension), `none_tiles` ((view node id,
    position) → the squeezed tile a view's `None` stands for), `tile_axes` (tile label → the
    most axes one value gives it, where two or more: its default block is capped,
    repeated_tiles.py)."""

    block_offset: int = 0
    whole_offset: int = 0
    later_host_names: frozenset[str] = frozenset()
    callables: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    tail: Tail | None = None  # a host-side sum / mean of the loop's output to fuse
    key_aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    squeeze_units: bool = True
    none_tiles: Mapping[tuple[int, int], str] = field(default_factory=lambda: MappingProxyType({}))
    tile_axes: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def classes(self) -> frozenset[frozenset[str]]:
        """The groups of size keys one axis stands for (each with more than one key)."""
        groups: dict[str, set[str]] = {}
        for key, root in self.key_aliases.items():
            groups.setdefault(root, {root}).add(key)
        return frozenset(frozenset(group) for group in groups.values())


class Unplanned(Exception):
    """Lowering found a shape fact its plan lacks: a construct the shape analysis does not
    follow (a bug of ours; lower_loop reports it as an InternalTranspilerError)."""


class PlannedPairs(set):
    """The pairs of size keys lowering combines (the launcher checks each pair equal). A pair
    the plan does not group raises Unplanned: lowering would need a second run to give it one
    axis."""

    def __init__(self, aliases: Mapping[str, str]) -> None:
        super().__init__()
        self.aliases = aliases

    def add(self, pair: tuple[str, str]) -> None:
        first, second = pair
        if self.aliases.get(first, first) != self.aliases.get(second, second):
            raise Unplanned(f"the sizes {first} and {second} meet")
        super().add(pair)


def planned(plan: LoopPlan, facts: ShapeFacts, user_name: Callable[[str], str | None]) -> LoopPlan:
    """The plan with what the shape analysis (shapes.py) found before lowering: groups of
    whole dimensions that meet, the view `None`s standing for squeezed tiles, whether
    block-size-1 tiles are squeezed, and the tiles one value holds on several axes."""
    aliases = _merge(frozenset(facts.unified), plan, user_name)
    tiles = {**plan.none_tiles, **facts.none_tiles} if facts.squeeze_units else {}
    return replace(
        plan,
        key_aliases=MappingProxyType(aliases),
        none_tiles=MappingProxyType(tiles),
        squeeze_units=plan.squeeze_units and facts.squeeze_units,
        tile_axes=MappingProxyType(dict(facts.tile_axes)),
    )


def _merge(
    pairs: frozenset[tuple[str, str]], plan: LoopPlan, user_name: Callable[[str], str | None]
) -> dict[str, str]:
    """Union of equal sizes; each group's representative is the user's own name where there is one."""
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.get(key, key) != key:
            key = parent[key]
        return key

    links = [*plan.key_aliases.items(), *sorted(pairs)]
    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            keep, other = (ra, rb) if user_name(ra) or not user_name(rb) else (rb, ra)
            parent[other] = keep
    keys = {key for pair in links for key in pair}
    return {key: root(key) for key in keys if root(key) != key}
