"""The shape analysis' subscripts: the dimensions of `x[...]`, a load's or a store's target."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from .memory import index_part
from .shape_values import (
    COLON,
    UNKNOWN,
    Block,
    Dim,
    HostTensor,
    Items,
    Materialise,
    Tile,
    int_of,
    is_colon,
    is_empty_index,
    is_none,
    squeezed,
    without_ellipsis,
)
from .slice_bounds import from_start
from .slices import difference, written_length

if TYPE_CHECKING:
    from .shapes import Walker


def subscript(w: Walker, node: cst.Subscript) -> object:
    """`value[...]`: a host tensor's load, one of a (values, indices) pair, or a view of a block."""
    base = node.value
    parts = [element.slice for element in node.slice]
    if is_empty_index(node):  # `s[()]`: the value itself
        return w.expr(base)
    if isinstance(base, cst.Name) and base.value not in w.scope and w.host.size_tuple_entry(node):
        return Block(())  # shape[0] of `shape = x.shape`: a size
    if isinstance(base, cst.Name) and w.is_host_tensor(base.value):
        dims = access(w, base.value, parts)
        return UNKNOWN if dims is None else Block(dims, access_nones(w, node, dims))
    value = w.expr(base)
    if isinstance(value, HostTensor):
        dims = access(w, value.name, parts)
        return UNKNOWN if dims is None else Block(dims, access_nones(w, node, dims))
    if isinstance(value, Items) and len(parts) == 1:  # torch.topk(...)[0]: one of a pair
        position = int_of(parts[0].value) if isinstance(parts[0], cst.Index) else None
        if position is not None and -len(value.items) <= position < len(value.items):
            return value.items[position]
        return UNKNOWN
    if not isinstance(value, Block):
        return UNKNOWN
    dims, source, nones = [], 0, set()
    for part in without_ellipsis(parts, len(value.dims)):
        if is_colon(part):
            if source >= len(value.dims):
                return UNKNOWN
            dims.append(value.dims[source])
            source += 1
        elif is_none(part):
            nones.add(len(dims))
            dims.append(None)
        else:
            return UNKNOWN
    dims.extend(value.dims[source:])
    return Block(tuple(dims), (id(node), frozenset(nones)))


def access(w: Walker, tensor: str, parts: list[cst.BaseSlice]) -> tuple | None:
    """The dimensions of `tensor[index...]` (a load, or a store's target); blocks of
    indices (a gather) put their dimensions there, broadcast together where there are
    several (gather_pairs.py: paired as torch does), and need every tile's."""
    used = sum(1 for p in parts if not is_none(p))
    rank = w.host.rank(tensor)
    if rank is not None and used > rank:
        return None
    if rank is not None:
        parts = [*parts, *[COLON] * (rank - used)]
    dims: list[Dim | None] = []
    tensor_dim, gathers, gather_at = 0, [], 0
    for part in parts:
        if is_none(part):
            dims.append(None)
            continue
        if is_colon(part):
            key = w.host.size_key(tensor, tensor_dim)
            dims.append(None if key == "1" else ("whole", key))
        elif isinstance(part, cst.Slice):
            part = from_start(part, tensor, tensor_dim)  # `1:-1`: torch's bounds from the end
            key = slice_key(w, tensor, tensor_dim, part)
            lanes = None if key is not None else constant_lanes(w, part)
            if key is None and lanes is None:
                return None
            dims.append(("whole", key) if key is not None else lanes)
        else:
            index = w.expr(part.value)
            if isinstance(index, Tile):
                dims.append(("tile", index.label, index.squeezed))
            elif isinstance(index, Block) and index.dims:
                gather_at = gather_at if gathers else len(dims)
                gathers.append(index)
            elif not isinstance(index, Block):
                return None  # not followed
        tensor_dim += 1
    if gathers:
        combined: object = gathers[0]
        for index in gathers[1:]:
            combined = w.meeting.broadcast(combined, index)
        if not isinstance(combined, Block):
            return None
        dims[gather_at:gather_at] = combined.dims
        if any(map(squeezed, dims)):
            raise Materialise  # indexing.py: a gather places every dim (NotSqueezable)
    w.facts.record_axes(tuple(dims))  # a load's or a store's block of pointers
    return tuple(dims)


def listed_access(w: Walker, tensor: cst.BaseExpression | None, index) -> tuple | None:
    """hl.load / hl.store's `tensor, [index...]`, as memory.py makes it a subscript."""
    if not isinstance(index, (cst.List, cst.Tuple)):
        return None
    if isinstance(tensor, cst.Name) and w.is_host_tensor(tensor.value):
        name = tensor.value
    else:
        value = UNKNOWN if tensor is None else w.expr(tensor)
        if not isinstance(value, HostTensor):
            return None
        name = value.name
    return access(w, name, [index_part(e.value) for e in index.elements])


def access_nones(w: Walker, node: cst.Subscript, dims: tuple) -> tuple[int, frozenset[int]]:
    places, position = set(), 0
    for element in node.slice:
        if is_none(element.slice):
            places.add(position)
        if not (isinstance(element.slice, cst.Index) and not is_none(element.slice)):
            position += 1
        elif isinstance(w.expr(element.slice.value), Tile):
            position += 1
    return id(node), frozenset(places)


def slice_key(w: Walker, tensor: str, dim: int, part: cst.Slice) -> str | None:
    """`out[tile, n1:]`: the whole dimension of the slice's length (slices.py's key)."""
    if part.step is not None:
        return None
    lower = "0" if part.lower is None else host_text(w, part.lower)
    upper = w.host.size_key(tensor, dim) if part.upper is None else host_text(w, part.upper)
    if lower is None or upper is None or (lower.isdigit() and upper.isdigit()):
        return None
    length = written_length(w.source, part.lower, part.upper)
    if part.upper is not None and length is not None:
        text = host_text(w, length)
        if text is None or text.isdigit():
            return None  # begin:begin + 4: lanes of its own (slices.slice_axis)
    return difference(upper, lower)


def constant_lanes(w: Walker, part: cst.Slice) -> Dim | None:
    """`b[:, 0:1]`, `x[tile, begin:begin + 4]`: lanes of their own (slices.slice_axis), a
    dimension that meets no other in the plan (the rest of the subscript is still followed)."""
    if part.step is not None:
        return None
    length = written_length(w.source, part.lower, part.upper)
    if not isinstance(length, cst.Integer):
        return None
    return ("lanes", w.source.code(part).strip())


def host_text(w: Walker, node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Subtract)):
        left, right = host_text(w, node.left), host_text(w, node.right)
        if left is None or right is None:
            return None
        symbol = "+" if isinstance(node.operator, cst.Add) else "-"
        return ast.unparse(ast.parse(f"({left}) {symbol} ({right})", mode="eval"))
    if isinstance(node, cst.Name) and (node.value in w.scope or node.value not in w.host.names):
        return None
    return w.host.key_of(node)
