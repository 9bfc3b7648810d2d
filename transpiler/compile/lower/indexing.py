"""Subscripts of host tensors: each index element placed, pointer offsets and masks built."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import broadcast, conjunction, expr, total
from ..frontend.errors import (
    IndexRankError,
    ShapeError,
    UnsupportedConstructError,
)
from ..frontend.host_sizes import size_of
from .argument_checks import (
    constant_index,
    note_index_tensor,
    note_index_value,
)
from .gather_pairs import paired_gathers
from .index_reach import reach_check
from .index_refusals import empty_index, refuse_ellipsis
from .negative_indices import wrapped_index
from .scalar_reach import scalar_reach_check
from .shape_values import is_empty_index
from .split_k import chunk_axis_for
from .values import (
    BLOCK,
    CONST,
    HOST_TENSOR,
    TILE,
    TILES,
    TUPLE,
    Axis,
    Dims,
    NotSqueezable,
    Value,
    block,
    is_squeezed,
    triton_dims,
    triton_position,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder


# what each element of a subscript is (Indexing.index_elements): a tile axis, a whole
# dimension (`:`), a slice of constant length (`begin:begin + n`), one index
TILED, WHOLE, SLICED, SCALAR = "tiled", "whole", "sliced", "scalar"


# what a subscript of several values indexes: (its words, the hint, the out-of-range message)
ITEM_WORDS = {
    TILES: (
        "the loop's tiles",
        "tile[0] is the first dimension's tile; or unpack them: tile_m, tile_n = tile",
        "tile {index} of a loop over {count} dimensions",
    ),
    TUPLE: (
        "a tuple",
        "take one item with an integer constant (pair[0]), or unpack it: a, b = pair; "
        "torch.stack([a, b], dim=1) makes one block of the two",
        "item {index} of a tuple of {count}",
    ),
}


class Indexing:
    """`x[...]` in the loop: a host tensor's pointers and mask (loads.py, stores.py use them),
    one of the loop's tiles, an element of a tuple, a view of a block (block_views.py)."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def expr_Subscript(self, node: cst.Subscript) -> Value:
        tensor_dim = size_of(node) or self.k.host.size_tuple_entry(node)  # shape[0]
        if tensor_dim is not None and tensor_dim[0] not in self.k.scope:
            key = self.k.host.size_key(*tensor_dim)
            return block(ast.Name(id=self.k.size_param(key)), (), "int")
        base = self.k.expressions.lower_expr(node.value)
        whole = base.kind == HOST_TENSOR and self.k.host.rank(base.name) != 0
        if is_empty_index(node) and not whole:  # `s[()]` of a 0-d tensor: as the bare name
            return base
        if base.kind == HOST_TENSOR:
            return self.k.loads.tensor_load(base.name, node)
        if base.kind in ITEM_WORDS:  # `pair[0]`, `tile[0]` of `for tile in hl.tile([m, n])`
            return self.one_item(base, node)
        if base.kind == BLOCK:
            return self.k.block_views.view(base, node)
        if base.kind == CONST:  # `y[tile]` of `y: torch.Tensor = None` called without y
            text = self.k.source.code(node.value)
            what = (
                "None" if base.const is None else f"the {type(base.const).__name__} {base.const!r}"
            )
            raise self.k.source.error(
                UnsupportedConstructError,
                node.value,
                f"{text} is {what} here: a device loop indexes tensors, blocks and tiles",
                hint=f"pass a tensor for {text}; if it is optional, read it only under "
                f"`if {text} is not None:` inside the device loop (a host `if` around a loop is refused)"
                if base.const is None
                else f"{text} is a number: use it without an index",
            )
        raise self.k.source.error(UnsupportedConstructError, node, "indexing this value")

    def one_item(self, items: Value, node: cst.Subscript) -> Value:
        """`tile[i]` of a loop's tiles, `pair[i]` of a tuple: i a constant within their number
        (a slice, `pair[:, None]`, or a name is refused at the subscript)."""
        what, hint, out_of_range = ITEM_WORDS[items.kind]
        element = node.slice[0].slice if len(node.slice) == 1 else None
        index = (
            self.k.expressions.lower_expr(element.value) if isinstance(element, cst.Index) else None
        )
        count = len(items.items)
        if index is None or index.kind != CONST or type(index.const) is not int:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"indexing {what} with anything but an integer constant",
                hint=hint,
            )
        if not -count <= index.const < count:
            raise self.k.source.error(
                ShapeError, node, out_of_range.format(index=index.const, count=count)
            )
        return items.items[index.const]

    def tensor_access(
        self, tensor: str, node: cst.Subscript
    ) -> tuple[ast.expr, ast.expr | None, Dims]:
        """Pointers, mask and result axes of `tensor[index...]`."""
        elements = self.index_elements(node)
        used = sum(1 for kind, _ in elements if kind != "new")
        rank = self.k.host.rank(tensor)
        if rank is not None and used > rank:
            raise self.k.source.error(
                IndexRankError,
                node,
                f"{used} indices for {tensor!r}, which has {rank} dimension{'s' * (rank != 1)}",
            )
        if rank is not None:
            elements += [(WHOLE, None)] * (rank - used)
        else:
            previous = self.k.checked_ranks.setdefault(tensor, used)
            if previous != used:
                raise self.k.source.error(
                    IndexRankError,
                    node,
                    f"{tensor!r} is indexed with {used} indices here and {previous} elsewhere",
                )
        dims: list[Axis | None] = []
        placed: list[tuple[str, object, int, int]] = []  # kind, payload, tensor dim, position
        # a tile or ':' per dimension, nothing else: a tensor descriptor can copy it
        self.k.access_is_tiles = all(kind in (TILED, WHOLE) for kind, _ in elements)
        tensor_dim = 0
        starts: list[tuple[ast.expr, int]] = []  # (start, tensor dim) of slices from the host
        paired = paired_gathers(self.k, elements, node)  # x[rows[t], cols[t]]: one axis t
        paired_position: int | None = None
        for kind, payload in elements:
            if kind == "new":
                squeezed = self.k.block_views.none_standing_for_a_tile(node, len(dims))
                if squeezed is not None:  # stands for a squeezed tile (the plan's): no dim
                    dims.append(squeezed)
                    continue
                dims.append(None)
                continue
            if kind == WHOLE and self.k.host.size_key(tensor, tensor_dim) == "1":
                dims.append(None)  # `:` of a dimension the host code made 1 (`x.view(n, 1)`)
                self.k.access_is_tiles = False
                tensor_dim += 1
                continue
            if kind == WHOLE:
                payload = self.k.whole_axes.full_axis(tensor, tensor_dim, node)
                payload = chunk_axis_for(self.k, node, len(dims), payload)  # split_k.py
                kind = TILED
            sliced = kind == SLICED  # its mask holds the tensor's size: no size check
            if sliced:
                from_host = self.k.slices.host_slice(tensor, tensor_dim, payload, node)
                if from_host is None:
                    payload = self.k.slices.slice_axis(tensor, tensor_dim, payload, node)
                else:  # out[tile, n1:]: a whole dimension of its length, from its start on
                    payload, start = from_host
                    if start is not None:
                        starts.append((start, tensor_dim))
                kind = TILED
            if kind == TILED:
                placed.append((kind, payload, tensor_dim, len(dims)))
                dims.append(payload)
                if (
                    not self.k.whole_axes.is_full_axis(payload)
                    and not sliced
                    and self.k.k_split is None
                ):
                    self.k.coverage.append((tensor, tensor_dim, payload))
            elif kind == SCALAR:
                self.note_scalar_reach(tensor, tensor_dim, payload, node)
                payload = wrapped_index(self.k, tensor, tensor_dim, payload, node)
                placed.append((kind, payload, tensor_dim, -1))
            elif paired is None:  # a block of indices: a gather
                self.note_reach(tensor, tensor_dim, payload, node)
                payload = wrapped_index(self.k, tensor, tensor_dim, payload, node)
                placed.append((kind, payload, tensor_dim, len(dims)))
                dims.extend(payload.dims)
            else:  # one of several: their dims broadcast together, once, right-aligned
                if paired_position is None:
                    paired_position = len(dims)
                    dims.extend(paired)
                position = paired_position + len(paired) - payload.rank
                self.note_reach(tensor, tensor_dim, payload, node)
                payload = wrapped_index(self.k, tensor, tensor_dim, payload, node)
                placed.append((kind, payload, tensor_dim, position))
            tensor_dim += 1
        result_rank = len(triton_dims(tuple(dims)))
        offsets, masks = [], []
        pointer = self.k.tensor_pointer(tensor)
        for kind, payload, dim, position in placed:
            if kind == SCALAR and payload.kind != CONST:  # Helion: a dimension of 1 reads
                stride = ast.Name(id=self.k.broadcast_stride(tensor, dim))  # its one element
            else:
                stride = ast.Name(id=self.k.stride(tensor, dim))
            if position >= 0:
                if any(is_squeezed(d) for d in dims) and kind not in (TILED, SCALAR):
                    raise NotSqueezable(f"a gather into {tensor}")
                position = triton_position(tuple(dims), position)
            if kind == TILED and payload.squeezed:  # one index: a scalar offset, no mask
                offsets.append(expr("o * s", o=ast.Name(id=payload.offsets), s=stride))
            elif kind == TILED:
                offsets.append(
                    expr("o * s", o=broadcast(payload.offsets, position, result_rank), s=stride)
                )
                masks.append(self.place_mask(payload, position, dims, node))
            elif kind == SCALAR:
                index = constant_index(self.k, tensor, dim, payload, node)
                offsets.append(expr("o * s", o=index, s=stride))
            else:
                placed_code = _place(payload, position, result_rank)
                offsets.append(expr("o * s", o=placed_code, s=stride))
                gather_masks = [
                    self.place_mask(axis, position + i, dims, node)
                    for i, axis in enumerate(payload.dims)
                    if axis is not None and axis.masked
                ]
                seen = {ast.dump(mask) for mask in masks}  # paired gathers share their axes
                masks.extend(m for m in gather_masks if ast.dump(m) not in seen)
        for start, dim in starts:
            offsets.append(expr("b * s", b=start, s=ast.Name(id=self.k.stride(tensor, dim))))
        pointers = total([ast.Name(id=pointer), *offsets])
        leading_scalar = [kind for kind, _ in elements[:1]] == [SCALAR] and all(
            kind in (TILED, WHOLE) for kind, _ in elements[1:]
        )
        self.k.descriptor_dims = tuple(dims)
        if leading_scalar and None not in dims and self.k.descriptors_wanted:
            self.k.descriptor_dims = self.scalar_as_tile(tensor, placed, tuple(dims))
        return pointers, conjunction(masks), tuple(dims)

    def note_reach(self, tensor: str, dim: int, index: Value, node: cst.CSTNode) -> None:
        """A launcher check that an index computed from tile indices stays inside (index_reach)."""
        check = reach_check(self.k, tensor, dim, index, node)
        if check is not None:
            self.k.index_reaches.append(check)

    def note_scalar_reach(self, tensor: str, dim: int, index: Value, node: cst.CSTNode) -> None:
        """A launcher check that a scalar index from tile attributes stays inside (scalar_reach)."""
        check = scalar_reach_check(self.k, tensor, dim, index, node)
        if check is not None:
            self.k.block_reaches.append(check)

    def scalar_as_tile(self, tensor: str, placed: list, dims: Dims) -> Dims:
        """The access as a descriptor sees it: a scalar first index (`q[b, tile_m, :]` with
        `b = tile_bh.begin`) stands as a squeezed tile there, its one index `b`, so its rows
        join the next dimension's as a batch tile of block size 1 does (descriptors.py)."""
        if len(placed) < 3:
            return dims  # (a 2-D tensor's row: a 1-D descriptor would do, not built)
        index = placed[0][1]
        if index.dtype not in (None, "int") or index.dims:
            return dims
        size = ast.Name(id=self.k.size_param(self.k.host.size_key(tensor, 0)))
        code = index.code
        label = f"the index {ast.unparse(code)}"
        text = ast.unparse(code)  # (a sum or product in parentheses: rows = index * m + i)
        simple = (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript)
        offsets = text if isinstance(code, simple) else f"({text})"
        axis = Axis(offsets, "", "1", size, code, code, label, squeezed=True)
        axis.scalar = index.kind != CONST  # a dimension of 1 broadcasts it (pointers only)
        self.k.access_is_tiles = True
        return (axis, *dims)

    def index_elements(self, node: cst.Subscript) -> list[tuple[str, object]]:
        if is_empty_index(node):
            return empty_index(self.k, node)
        elements: list[tuple[str, object]] = []
        for element in node.slice:
            part = element.slice
            if isinstance(part, cst.Slice):
                if part.lower is None and part.upper is None and part.step is None:
                    elements.append((WHOLE, None))
                    continue
                elements.append((SLICED, part))  # x[tile, begin:begin + length]
                continue
            value_node = part.value
            if isinstance(value_node, cst.Name) and value_node.value == "None":
                elements.append(("new", None))
                continue
            if isinstance(value_node, cst.Ellipsis):
                refuse_ellipsis(self.k, node, value_node)
            self.k.addressing += 1  # index arithmetic here keeps INDEX_DTYPE (index_values.py)
            try:
                value = self.k.expressions.lower_expr(value_node)
            finally:
                self.k.addressing -= 1
            if value.kind == TILE:
                elements.append((TILED, value.axis))
            elif value.kind == TILES:
                elements.extend((TILED, item.axis) for item in value.items)
            elif value.kind == CONST and not isinstance(value.const, int):
                raise self.k.source.error(
                    UnsupportedConstructError,
                    value_node,
                    f"a {type(value.const).__name__} index",
                    hint="index with tiles, integers or ':'",
                )
            elif value.kind in (BLOCK, CONST) and value.rank == 0:
                note_index_value(self.k, value, value_node)
                note_index_tensor(self.k, node, _dims_before(elements), value)
                elements.append((SCALAR, value))
            elif value.kind == BLOCK:
                note_index_value(self.k, value, value_node)
                note_index_tensor(self.k, node, _dims_before(elements), value)
                elements.append(("gather", value))
            else:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    value_node,
                    "this index; index host tensors with tiles, integers or ':'",
                )
        return elements

    def place_mask(self, axis: Axis, position: int, dims: Dims, node: cst.CSTNode) -> ast.expr:
        """The axis's mask placed at Triton dimension `position` of a value with these dims
        (squeezed tiles have no Triton dimension). A jagged tile's mask spans its parent axes
        too: they must be among the dims, in the same order."""
        dims = triton_dims(dims)
        if not axis.parents:
            return broadcast(axis.mask, position, len(dims))
        places = [next((i for i, d in enumerate(dims) if d is p), None) for p in axis.parents]
        places.append(position)
        if None in places or places != sorted(places):
            parents = ", ".join(p.label for p in axis.parents)
            raise self.k.source.error(
                ShapeError,
                node,
                f"the jagged tile {axis.label} is used without its parent tile ({parents}) "
                "in front of it: its mask holds one length per parent lane",
                hint=f"index together with the parent: x[{parents}, {axis.label}]",
            )
        if places == list(range(len(dims))):
            return ast.Name(id=axis.mask)
        parts = [ast.Slice() if i in places else ast.Constant(value=None) for i in range(len(dims))]
        return ast.Subscript(value=ast.Name(id=axis.mask), slice=ast.Tuple(elts=parts))


def _place(value: Value, position: int, rank: int) -> ast.expr:
    """A block of indices placed at `position` of a `rank`-D result."""
    if value.rank == rank:
        return value.code
    parts = [ast.Constant(value=None)] * position + [ast.Slice()] * value.rank
    parts += [ast.Constant(value=None)] * (rank - position - value.rank)
    return ast.Subscript(value=value.code, slice=ast.Tuple(elts=parts))


def _dims_before(elements: list[tuple[str, object]]) -> int:
    """The tensor dimension the next index element stands for (a `None` adds none)."""
    return sum(1 for kind, _ in elements if kind != "new")
