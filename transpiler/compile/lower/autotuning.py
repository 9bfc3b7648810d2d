"""`export(keep_autotune=True)`: a `@triton.autotune` list over a kernel's tile block sizes."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import call, render
from ..emit.lines import Param
from ..frontend.errors import UnsupportedConstructError
from ..frontend.source import Source
from .launch import AutotunedBlocks


def autotuned_blocks(
    source: Source,
    loop: cst.For,
    settings: dict[str, object],
    tiles: TunedTiles,
    params: Iterable[Param],
) -> AutotunedBlocks | None:
    """The loop's `@triton.autotune` list over the kernel's candidate configs (Helion's fields),
    or None: no configs, or none for this loop of several."""
    configs = settings.get("autotune_configs")
    if not configs:
        return None
    tuned, group, offset = list(tiles.blocks), tiles.group, tiles.offset
    mine = [(c.get("block_sizes") or [])[offset : offset + len(tuned)] for c in configs]
    if tuned and all(size is None for sizes in mine for size in sizes):
        return None  # no candidates for this loop of several (tile_configs.candidates): defaults
    entries = []
    for config in configs:
        given = list(config.get("block_sizes") or [])
        # a kernel of several device loops: this loop's tiles follow the earlier loops' ones
        sizes = given[offset : offset + len(tuned)]
        if len(sizes) != len(tuned):
            raise source.error(
                UnsupportedConstructError,
                loop,
                f"an autotune config with {len(given)} block sizes for the "
                f"{len(tuned)} tunable tiles ({', '.join(tuned) or 'none'}) of this loop"
                + (f" after the loops before took {offset}" * (offset > 0)),
                hint="give one block size per tile without a fixed block_size",
            )
        values = dict(zip(tuned, sizes))
        if group is not None:
            groups = config.get("l2_groupings") or [1]
            values[group] = groups[0]
        options = {k: config.get(k) for k in ("num_warps", "num_stages")}
        fields = ast.Dict(
            keys=[ast.Constant(k) for k in values],
            values=[ast.Constant(v) for v in values.values()],
        )
        entry = call("triton.Config", fields, **options)
        if render(entry) not in map(render, entries):  # candidates that differ only in a
            entries.append(entry)  # block size this kernel lacks (a K tile) are one config
    params = list(params)
    sizes = [p.name for p in params if p.kind == "size"]
    for_tensor = {p.launch: p.name for p in params if p.kind == "tensor"}
    restored = sorted(for_tensor[t] for t in _restored_tensors(loop) if t in for_tensor)
    decorator = call(
        "triton.autotune",
        configs=ast.List(elts=entries),
        key=ast.List(elts=[ast.Constant(s) for s in sizes]),
        # tuning runs the kernel once per config: what it writes is restored between runs
        restore_value=ast.List(elts=[ast.Constant(p) for p in restored]) if restored else None,
    )
    names = (*tuned, group) if group is not None else tuple(tuned)
    return AutotunedBlocks(names, "@" + render(decorator))


@dataclass(frozen=True)
class TunedTiles:
    """A loop's tile block sizes in config order, its GROUP_M (a grouped program order), and
    how many config block sizes the kernel's earlier loops took."""

    blocks: tuple[str, ...]
    group: str | None
    offset: int


def _restored_tensors(loop: cst.For) -> set[str]:
    """Tensors the loop accumulates into (`x[...] += v`, atomics) or stores to and also reads:
    tuning runs the kernel once per config, so these are restored between runs."""
    names = {
        store.target.value.value
        for store in m.findall(loop, m.AugAssign(target=m.Subscript(value=m.Name())))
    }
    stored = [
        t.target.value.value
        for t in m.findall(loop, m.AssignTarget(target=m.Subscript(value=m.Name())))
    ]
    read = [s.value.value for s in m.findall(loop, m.Subscript(value=m.Name()))]
    read = [name for name in set(read) if read.count(name) > stored.count(name)]
    for node in m.findall(
        loop, m.Call(func=m.Attribute(), args=[m.Arg(value=m.Name()), m.ZeroOrMore()])
    ):
        method, tensor = node.func.attr.value, node.args[0].value.value
        if method.startswith("atomic_"):
            names.add(tensor)
        elif method == "store":
            stored.append(tensor)
        elif method == "load":
            read.append(tensor)
    return names | (set(stored) & set(read))
