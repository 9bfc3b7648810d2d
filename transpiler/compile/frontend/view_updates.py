"""An augmented assignment to a view of a tensor, read through the tensor afterwards.

In torch `v = x[tile]` (tiles, slices, integers: basic indexing) is a view of x, so `v += 1`
changes x as well, and a later `x[tile]` reads the changed values; the generated code loads v
once and updates the loaded value alone. Such an update is refused at its operator when a load
of x comes after it in the loop's text (Helion's own examples update a view and never read the
tensor again: `cb_local = cb[...]; cb_local *= ...`, the value they mean).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .errors import UnsupportedConstructError
from .source import Source
from .targets import target_names

_TILE_ATTRIBUTES = {"begin", "end", "id", "block_size", "count"}  # numbers, not index tensors


def check_view_updates(source: Source, loop: cst.For) -> None:
    """Refuse `v op= ...` where v's latest binding is a view of a tensor the loop loads again
    after the update."""
    local, tiles = _bound_in(loop)
    bindings = sorted(
        (_start(source, a), a)
        for a in m.findall(loop, m.Assign(targets=[m.AssignTarget(target=m.Name())]))
        if source.positions.get(a) is not None
    )
    stores = {id(t.target) for t in m.findall(loop, m.AssignTarget())}
    loads = [
        (_start(source, s), s)
        for s in m.findall(loop, m.Subscript(value=m.Name()))
        if id(s) not in stores and source.positions.get(s) is not None
    ]
    for update in m.findall(loop, m.AugAssign(target=m.Name())):
        where = _start(source, update)
        name = update.target.value
        earlier = [a for at, a in bindings if at < where and a.targets[0].target.value == name]
        if not earlier or not _is_view(earlier[-1].value, local, tiles):
            continue
        tensor = earlier[-1].value.value.value
        later = [s for at, s in loads if at > where and s.value.value == tensor]
        if later:
            _refuse(source, update, tensor, earlier[-1], later[0])


def _start(source: Source, node: cst.CSTNode) -> tuple[int, int]:
    position = source.positions[node].start
    return position.line, position.column


def _bound_in(loop: cst.For) -> tuple[set[str], set[str]]:
    """Names bound inside the loop (device values), and the loops' targets (tiles, indices)."""
    tiles = {name for inner in m.findall(loop, m.For()) for name in target_names(inner.target)}
    bound = set(tiles)
    for found in m.findall(loop, m.AssignTarget() | m.AugAssign() | m.AnnAssign()):
        bound |= set(target_names(found.target))
    return bound, tiles


def _is_view(value: cst.BaseExpression, local: set[str], tiles: set[str]) -> bool:
    """`x[tile, 1:, 0]`: a subscript of a tensor from outside the loop by tiles, slices and
    numbers (torch's basic indexing: a view), not by an index tensor (a gather: a copy)."""
    if not (isinstance(value, cst.Subscript) and isinstance(value.value, cst.Name)):
        return False
    if value.value.value in local:
        return False
    return all(_basic(element.slice, local - tiles) for element in value.slice)


def _basic(part: cst.BaseSlice, computed: set[str]) -> bool:
    """A slice, a number, a tile or a tile's number; a name the loop computes may be an index
    tensor (`x[i]` with `i = idx[tile]`): not counted."""
    if isinstance(part, cst.Slice):
        return True
    index = part.value
    if isinstance(index, cst.Name):
        return index.value not in computed
    if isinstance(index, (cst.Integer, cst.Ellipsis)):
        return True
    if isinstance(index, cst.UnaryOperation):
        return isinstance(index.expression, cst.Integer)
    return isinstance(index, cst.Attribute) and index.attr.value in _TILE_ATTRIBUTES


def _refuse(source: Source, update: cst.AugAssign, tensor: str, view, load) -> None:
    name = update.target.value
    spelt = source.code(update.operator).strip()
    raise source.error(
        UnsupportedConstructError,
        update.operator,
        f"`{name} {spelt} ...` changes {tensor} in place: {name} = "
        f"{source.code(view.value).strip()} (line {source.line_of(view)}) is a view of "
        f"{tensor} in torch, and line {source.line_of(load)} reads {tensor} after it; the "
        f"generated code would read {tensor} unchanged",
        hint=f"write {name} = {name} {spelt.removesuffix('=')} ... ({tensor} keeps its values), "
        f"or store the change: {source.code(view.value).strip()} = {name}",
    )
