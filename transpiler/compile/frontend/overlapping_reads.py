"""Reads of elements another program may store to: a device loop that stores `x[tile]` and reads
`x` elsewhere along the tile (`x[tile.index + 1]`, `x[n - 1 - tile.index]`, `x[0, :]`,
`x[idx[tile]]`) would read some elements before and some after their program's store, in an
order the GPU does not promise (StoreRaceError at the read); and tensors read so, which the
launcher must not let share memory with a tensor the loop writes (`k(a, a)`)."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .aliases import Aliases
from .errors import StoreRaceError
from .loop_accesses import (
    dependencies,
    hl_loads,
    loop_stores,
    reached_from,
    read_names,
    stored_tensor,
)
from .source import Source
from .targets import target_names

_EMPTY = cst.Module(body=[])


def check_overlapping_reads(source: Source, loops: list[cst.For], aliases: Aliases) -> None:
    """Refuse a read of a tensor the same loop stores to, at elements other programs store."""
    for loop in loops:
        stores, reads = _accesses(loop, aliases)
        for tensor, index, node in reads:
            if tensor in stores and not _aligned(index, stores[tensor]):
                raise source.error(
                    StoreRaceError,
                    node,
                    f"the loop stores to {tensor!r} and reads {tensor!r} here at elements other "
                    "programs store to: some reads would come before their store and some after "
                    "(the GPU runs programs in no set order)",
                    hint=f"write the result into a new tensor (out = torch.empty_like({tensor})) "
                    f"and read {tensor!r}, or read it only at the stored index",
                )


def misaligned_tensors(loop: cst.For, aliases: Aliases) -> set[str]:
    """Tensors the loop reads at elements other than those the programs store (of any stored
    tensor): these must share no memory with a written argument, even as the same view."""
    stores, reads = _accesses(loop, aliases)
    every = [index for indices in stores.values() for index in indices]
    return {tensor for tensor, index, _ in reads if stores and not _aligned(index, every)}


def _accesses(loop: cst.For, aliases: Aliases):
    """(stored tensor → [(grid-dependent positions, index texts)], [(tensor, index texts,
    node)] of the reads)."""
    grid = set(target_names(loop.target))
    reaches = reached_from(grid, dependencies(loop.body))
    stores: dict[str, list[tuple[list[int], list[str]]]] = {}
    plain = set()
    for index, _, _, node in loop_stores(loop.body, aliases):
        tensor = stored_tensor(node)
        if tensor is None:
            continue
        texts, parts = _index(index, grid)
        depends = [p for p, part in enumerate(parts) if read_names(part) & reaches]
        stores.setdefault(tensor, []).append((depends, texts))
        if isinstance(node, cst.Subscript):
            plain.add(id(node))
    plain -= {id(a.target) for a in m.findall(loop.body, m.AugAssign())}
    reads = []
    for found in m.findall(loop.body, m.Subscript(value=m.Name())):
        if id(found) not in plain:
            reads.append((found.value.value, _index(found.slice, grid)[0], found))
    for call in hl_loads(loop.body, aliases):
        if len(call.args) >= 2 and isinstance(call.args[0].value, cst.Name):
            index = _index(call.args[1].value, grid)[0]
            reads.append((call.args[0].value.value, index, call))
    return stores, reads


def _aligned(read: list[str], stores: list[tuple[list[int], list[str]]]) -> bool:
    """Whether the read indexes each dimension a store takes by the grid as that store does."""
    return any(
        all(p < len(read) and read[p] == texts[p] for p in depends) for depends, texts in stores
    )


def _index(index, grid: set[str]) -> tuple[list[str], list[cst.CSTNode]]:
    """Each position's text (`tile.index` read as `tile`) and node, of a subscript's elements
    or of hl.store / hl.load's index (a list, a tuple or one value)."""
    if isinstance(index, (list, tuple)):
        parts = [e.slice.value if isinstance(e.slice, cst.Index) else e.slice for e in index]
    elif isinstance(index, (cst.List, cst.Tuple)):
        parts = [e.value for e in index.elements]
    else:
        parts = [index]
    texts = []
    for part in parts:
        text = _EMPTY.code_for_node(part)
        for tile in grid:
            text = text.replace(f"{tile}.index", tile)
        texts.append(text.replace(" ", ""))
    return texts, parts
