"""Lowering of indexing: tiles of host tensors become pointer offsets and masks."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, broadcast, conjunction, expr, total
from ..frontend.errors import (
    IndexRankError,
    ShapeError,
    StoreTargetError,
    UnsupportedConstructError,
)
from ..frontend.host_dtypes import BOOL, NOT_BOOL
from ..frontend.host_sizes import size_of
from .argument_checks import (
    constant_index,
    in_place_check,
    note_index_tensor,
    note_index_value,
)
from .gather_pairs import paired_gathers
from .host_tails import emit_tail
from .index_reach import reach_check
from .negative_indices import wrapped_index
from .reduction_loops import start_looped_axis
from .scalar_reach import scalar_reach_check
from .shape_values import is_empty_index, without_ellipsis
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
    check_squeezable,
    is_squeezed,
    triton_dims,
    triton_position,
)

if TYPE_CHECKING:
    from .kernel import KernelBuilder


# what each element of a subscript is (Indexing.index_elements): a tile axis, a whole
# dimension (`:`), a slice of constant length (`begin:begin + n`), one index
TILED, WHOLE, SLICED, SCALAR = "tiled", "whole", "sliced", "scalar"


class Indexing:
    """Loads (`x[tile_m, :]`), stores (`out[tile] = v`) and views of blocks (`v[:, None]`)."""

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
            pointers, mask, dims = self.tensor_access(base.name, node)
            line = self.k.source.line_of(node)
            native = node in self.k.native_loads
            copied = self.k.descriptor_dims  # a leading scalar index as a squeezed tile
            descriptor = self.k.descriptor_copies.descriptor_for(base.name, copied)
            if descriptor is not None:  # TMA when the tensor allows it, else pointers
                self.k.sync_before_load(base.name, line)
                target = self.k.direct_target if node is self.k.direct_value else None
                loaded = self.k.descriptor_copies.descriptor_load(
                    base.name,
                    descriptor,
                    copied,
                    pointers,
                    mask,
                    native,
                    line,
                    target.value if isinstance(target, cst.Name) else None,
                )
            else:
                key = self.k.reused_loads.key(base.name, pointers, mask, native)
                reused = self.k.reused_loads.reuse(key)
                if reused is not None:  # read in this block already, nothing stored since
                    return reused
                loaded = self.pointer_load(base.name, pointers, mask, native, line)
            self.k.note_load(base.name, dims)
            storage = expr("p.dtype.element_ty", p=self.k.tensor_pointer(base.name))
            direct = node is self.k.direct_value
            if not direct and descriptor is None:
                name = self.k.names.fresh(f"{base.name}_tile")
                self.k.emit(assign(name, loaded), line)
                loaded = ast.Name(id=name)
            value = replace(
                block(loaded, dims),
                storage=storage,
                native=native,
                zero_outside=frozenset(dims),
                loaded_from=frozenset({base.name}),
            )
            if descriptor is None and direct:
                self.k.reused_loads.hold_when_named(key, value, pointers, mask)
            elif descriptor is None:
                self.k.reused_loads.hold(key, value, pointers, mask)
            return value
        if base.kind == TUPLE:
            index = self.k.expressions.lower_expr(node.slice[0].slice.value)
            return base.items[index.const]
        if base.kind == TILES:  # `tile[0]` of `for tile in hl.tile([m, n])`: one dimension
            return self.one_of_the_tiles(base, node)
        if base.kind == BLOCK:
            return self.view(base, node)
        raise self.k.source.error(UnsupportedConstructError, node, "indexing this value")

    def one_of_the_tiles(self, tiles: Value, node: cst.Subscript) -> Value:
        """`tile[i]` of a loop's tiles, i a constant within their number."""
        element = node.slice[0].slice if len(node.slice) == 1 else None
        index = (
            self.k.expressions.lower_expr(element.value) if isinstance(element, cst.Index) else None
        )
        count = len(tiles.items)
        if index is None or index.kind != CONST or type(index.const) is not int:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                "indexing the loop's tiles with anything but an integer constant",
                hint="tile[0] is the first dimension's tile; or unpack them: tile_m, tile_n = tile",
            )
        if not -count <= index.const < count:
            raise self.k.source.error(
                ShapeError, node, f"tile {index.const} of a loop over {count} dimensions"
            )
        return tiles.items[index.const]

    def named_pointers(self, tensor: str, pointers: ast.expr, line: int) -> ast.Name:
        """`x_ptrs = <pointers>` emitted; its name. Pointers the block named already, nothing
        they read rebound since (`out[tile] += x[tile]`: the load's, for the store), keep it."""
        named = self.k.reused_loads.named_pointers(tensor, pointers)
        if named is not None:
            return named
        name = self.k.names.fresh(f"{tensor}_ptrs")
        self.k.emit(assign(name, pointers), line)
        self.k.reused_loads.hold_pointers(tensor, pointers, name)
        return ast.Name(id=name)

    def pointer_load(
        self, tensor: str, pointers: ast.expr, mask: ast.expr | None, native: bool, line: int
    ) -> ast.expr:
        """`x_ptrs = ...` emitted (a barrier after it if this program stored to `tensor`);
        the load of them."""
        named = self.named_pointers(tensor, pointers, line)
        self.k.sync_before_load(tensor, line)
        return self.load(named, mask, native=native)

    def emit_store(
        self, pointers: ast.expr, value: ast.expr, mask: ast.expr | None, line: int
    ) -> None:
        """`tl.store(x_ptrs, value, mask=...)`."""
        call = expr("tl.store(p, v)", p=pointers, v=value)
        if mask is not None:
            call.keywords.append(ast.keyword(arg="mask", value=mask))
        self.k.emit(ast.Expr(value=call), line)

    def stored(self, tensor: str, value: Value, code: ast.expr | None = None) -> ast.expr:
        """The code of `value` (or `code`, its spelling) stored into `tensor`:
        cast to `tensor`'s element type (`tl.cast(v, x_ptr.dtype.element_ty)`) unless `tensor`
        cannot be bool, or the value is a bool, a 0 / 1, or loads of tensors of `tensor`'s dtype
        (tl.store truncates into a bool tensor: 0.5 became False; torch stores nonzero values,
        NaN too, as True, and tl.cast to tl.int1 compares with 0)."""
        code = value.code if code is None else code
        target = self.dtype_root(tensor)
        sources = {self.dtype_root(t) for t in value.loaded_from}
        if (
            value.dtype == "bool"
            or (value.kind == CONST and value.const in (0, 1))
            or target == NOT_BOOL
            or (value.kind == BLOCK and sources == {target})
            or _cast_to_element(code)
        ):
            return code
        element = expr("p.dtype.element_ty", p=self.k.tensor_pointer(tensor))
        return expr("tl.cast(v, t)", v=code, t=element)

    def dtype_root(self, tensor: str) -> str:
        """NOT_BOOL / BOOL where the host code allocated `tensor` with such a dtype, else the
        tensor whose dtype it has (`out = torch.empty_like(x)`: x's; itself if none)."""
        seen = {tensor}
        while (dtype := self.k.host.allocated_dtypes.get(tensor)) is not None:
            if dtype in (NOT_BOOL, BOOL) or dtype in seen:
                return dtype
            tensor = dtype
            seen.add(tensor)
        noted = self.k.arithmetic_on.get(tensor)  # the launcher refuses it bool outright
        return NOT_BOOL if noted is not None and noted[1] is None else tensor

    def load(self, pointers: ast.expr, mask: ast.expr | None, native: bool = False) -> ast.expr:
        """`tl.load`, computed in float32 when half precision (native: as stored, for dots).
        Masked lanes read `other=0.0`: Triton casts a float to every element type, float8
        included, but has no cast from an int to float8 (`other=0` fails to compile there)."""
        code = expr("tl.load(p)", p=pointers)
        if mask is not None:
            code = expr("tl.load(p, mask=m, other=0.0)", p=pointers, m=mask)
        if native:
            return code
        self.k.use_helper("upcast_half")
        return expr("upcast_half(a)", a=code)

    def store(
        self,
        target: cst.Subscript,
        value: Value,
        augmented: str | None,
        node: cst.CSTNode,
        update: Value | None = None,
    ) -> None:
        """`target = value`; `augmented`: the operator of `target op= update`, whose value is
        the result already computed from the target's load (statements.py), stored in place
        where torch may cast `update`'s dtype into the target's."""
        base = self.k.expressions.lower_expr(target.value)
        if base.kind != HOST_TENSOR:
            raise self.k.source.error(
                StoreTargetError,
                target.value,
                f"{self.k.source.code(target.value)!r} is not a tensor from the host",
            )
        pointers, mask, dims = self.tensor_access(base.name, target)
        self.k.stored_tensors.add(base.name)
        value = self.k.expressions.operand(value, node)
        value = self.k.expressions.numeric(value, getattr(node, "value", node))
        self.check_store_shape(value, dims, node)
        line = self.k.source.line_of(node)
        copied = self.k.descriptor_dims
        descriptor = (
            self.k.descriptor_copies.descriptor_for(base.name, copied, store=True)
            if augmented is None
            else None
        )
        if descriptor is not None and value.dims == dims:  # whole tiles: TMA when it may
            self.k.descriptor_copies.descriptor_store(
                base.name, descriptor, copied, pointers, mask, value, line
            )
            self.k.unsynced_stores.add(base.name)
            self.fused_tail(base.name, value, mask, dims, line, augmented)
            return
        pointers = self.named_pointers(base.name, pointers, line)
        if augmented is not None:  # the value is the update, its load of the target included
            in_place_check(self.k, base.name, update or value, augmented, line)
        if dims and value.dims and all(d is None for d in (*dims, *value.dims)):
            # size-1 dims only (`out[i, :, :] = v.amax(dim=(0, 1), keepdim=True)`): the
            # pointer is one element, the value a [1, 1] block
            value = value.with_code(expr("tl.reshape(v, ())", v=value.code))
        self.emit_store(pointers, self.stored(base.name, value), mask, line)
        self.k.unsynced_stores.add(base.name)
        self.fused_tail(base.name, value, mask, dims, line, augmented)

    def fused_tail(self, tensor: str, value: Value, mask, dims: Dims, line: int, augmented) -> None:
        """The host code's sum or mean of this tensor after the loop, fused (host_tails.py)."""
        if self.k.tail is not None and self.k.tail.tensor == tensor and augmented is None:
            emit_tail(self.k, tensor, value, mask, dims, line)

    def check_store_shape(self, value: Value, dims: Dims, node: cst.CSTNode) -> None:
        check_squeezable(value, dims)
        if value.rank > len(dims) and any(
            d is not None for d in value.dims[: value.rank - len(dims)]
        ):
            crossed = [a for i, a in enumerate(value.dims) if a is not None and a in value.dims[:i]]
            raise self.k.source.error(
                ShapeError,
                node,
                f"storing a {value.rank}-D value into a {len(dims)}-D tile",
                hint=_crossed_hint(crossed[0].label) if crossed else None,
            )
        self.check_store_order(value, dims, node)
        for own, target in zip(reversed(value.dims), reversed(dims)):
            if own is not None and (
                target is None
                or not (  # `out[t, :] = x[t, 2:3]`: tl.store broadcasts its one lane
                    self.k.expressions.broadcasts_one_lane(own)
                    or self.k.expressions.same_axis(own, target)
                )
            ):
                raise self.k.source.error(
                    ShapeError,
                    node,
                    f"the value spans {own.label} where the target has "
                    f"{target.label if target is not None else 'a single index'}",
                    hint="store a value whose tiles match the target's index",
                )
        if value.rank > len(dims):
            raise self.k.source.error(
                ShapeError,
                node,
                "the stored value has more dimensions than the target",
                hint="drop size-1 dimensions with keepdim=False",
            )

    def check_store_order(self, value: Value, dims: Dims, node: cst.CSTNode) -> None:
        """A value whose tiles are the target's in another order: a ShapeError naming the
        `.T` (or `.permute(...)`) that stores it."""
        if value.rank != len(dims) or value.rank < 2 or None in dims or None in value.dims:
            return
        order = [
            [j for j, own in enumerate(value.dims) if self.known_same_axis(own, target)]
            for target in dims
        ]
        if any(len(found) != 1 for found in order):
            return
        permutation = [found[0] for found in order]
        if sorted(permutation) != list(range(len(dims))) or permutation == sorted(permutation):
            return  # not another order of the same tiles
        fix = ".T" if permutation == [1, 0] else f".permute({', '.join(map(str, permutation))})"
        mine = ", ".join(axis.label for axis in value.dims)
        theirs = ", ".join(axis.label for axis in dims)
        raise self.k.source.error(
            ShapeError,
            node,
            f"the value's tiles are ({mine}), the target's ({theirs}): a transposed store",
            hint=f"store `value{fix}` to write it in the target's order (or index the target "
            f"as [{mine}] if that is the layout you meant)",
        )

    def known_same_axis(self, x: Axis, y: Axis) -> bool:
        """Whether two axes are already known to be one, without unifying whole dimensions
        (same_axis does, and a search for another order must not: k[b, :, t, :] would tie
        k.size(1) to k.size(3))."""
        if x is y:
            return True
        if x.block_var or y.block_var:
            return x.block == y.block
        if x.size is not None and y.size is not None:
            return x.size == y.size
        if self.is_full_axis(x) and self.is_full_axis(y):
            return self.k.key_aliases.get(x.key, x.key) == self.k.key_aliases.get(y.key, y.key)
        return False

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
                squeezed = self.none_standing_for_a_tile(node, len(dims))
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
                payload = self.full_axis(tensor, tensor_dim, node)
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
                if not self.is_full_axis(payload) and not sliced and self.k.k_split is None:
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
            return self.empty_index(node)
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
                self.refuse_ellipsis(node, value_node)
            value = self.k.expressions.lower_expr(value_node)
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

    def refuse_ellipsis(self, node: cst.Subscript, ellipsis: cst.Ellipsis) -> None:
        """`x[..., tile]` of a host tensor: refused at the `...`, the hint spelling the `:`s it
        stands for where the tensor's rank is known."""
        tensor = node.value.value if isinstance(node.value, cst.Name) else None
        rank = self.k.host.rank(tensor) if tensor is not None else None
        parts = [self.k.source.code(element.slice) for element in node.slice]
        used = sum(1 for p in parts if p not in ("...", "None"))
        spelled = ", ".join(":" for _ in range(max((rank or used + 1) - used, 0)))
        written = ", ".join(spelled if p == "..." else p for p in parts)
        shown = f"{self.k.source.code(node.value)}[{written}]"
        raise self.k.source.error(
            UnsupportedConstructError,
            ellipsis,
            "`...` in a subscript of a host tensor",
            hint=f"write the ':'s it stands for: {shown}"
            if rank is not None
            else "write one ':' per dimension it stands for",
        )

    def empty_index(self, node: cst.Subscript) -> list[tuple[str, object]]:
        """`s[()]` of a 0-d tensor: no index (its one element); of a tensor with dimensions,
        the whole tensor, which device code does not read or write at once."""
        tensor = node.value.value if isinstance(node.value, cst.Name) else None
        rank = self.k.host.rank(tensor) if tensor is not None else None
        if rank == 0:
            return []
        shown = self.k.source.code(node)
        if rank is None:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"{shown}: the rank of {self.k.source.code(node.value)} is not known here (a 0-d "
                "tensor's element, or a whole tensor)",
                hint="give the kernel's arguments (example_args= to transpile; calling the kernel "
                "does), or make it a 0-d tensor the host code shows: s = x.sum()",
            )
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"{shown} is the whole {rank}-D tensor",
            hint="index a 0-d tensor with s[()]; a tensor with dimensions with tiles, integers "
            "or ':' (x[tile])",
        )

    def full_axis(self, tensor: str, dim: int, node: cst.CSTNode) -> Axis:
        """The axis of a whole dimension (`x[tile, :]`): one block of next_power_of_2(size)."""
        return self.full_axis_for(self.k.host.size_key(tensor, dim), node, f"dim {dim} of {tensor}")

    def full_axis_for(self, own_key: str, node: cst.CSTNode, where: str) -> Axis:
        """The whole-dimension axis of a host size (`n`, `x.size(1)`), shared by all its uses."""
        key = self.k.key_aliases.get(own_key, own_key)
        if key != own_key:
            self.k.unified.add(tuple(sorted((own_key, key))))
        if key in self.k.full_axes:
            return self.k.full_axes[key]
        size = self.k.size_param(key)
        suffix = size if self.k.host.name_for_key(key) else key.replace(".size(", "").rstrip(")")
        offsets = self.k.names.fresh(f"offs_{suffix}")
        mask = self.k.names.fresh(f"mask_{suffix}")
        launch_size = self.k.params[size].launch
        chunk = self.k.reduction_loops.chunk_for_next_axis(key)
        whole_block = f"triton.next_power_of_2(max({launch_size}, 1))"
        if launch_size.isdigit():  # a literal size (`torch.empty([n, 2])`): its block, written
            whole_block = str(1 << (max(int(launch_size), 1) - 1).bit_length())
        if chunk is not None:  # reduction_loops: chunks of the row (reduction_loops.py)
            whole_block = f"min({chunk}, {whole_block})"
        block_name = self.k.constexpr(f"BLOCK_{suffix.upper()}", whole_block)
        axis = Axis(
            offsets=offsets,
            mask=mask,
            block=block_name,
            end=ast.Name(id=size),
            begin=ast.Constant(value=0),
            tile_id=ast.Constant(value=0),
            label=f"':' (all {size} of {where})",
            key=key,
        )
        self.k.full_axes[key] = axis
        self.k.full_axis_set.add(axis)
        self.k.all_axes.append(axis)
        line = self.k.source.line_of(node)
        whole = f"{launch_size} == {block_name}"
        if chunk is not None:
            whole = f"{launch_size} % {block_name} == 0"
        definitions = [
            f"{offsets} = tl.arange(0, {block_name}).to(INDEX_DTYPE)",
            self.k.mask_line(mask, offsets, size, block_name, whole),
        ]
        if chunk is not None:
            start_looped_axis(self.k, axis, chunk, size, definitions, node)
        made = [self.k.make_line(1, text, line) for text in definitions]
        self.k.insert_lines(self.k.preamble_end, made)
        self.k.preamble_end += len(definitions)
        return axis

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

    def none_standing_for_a_tile(self, node: cst.CSTNode, position: int) -> Axis | None:
        """The squeezed tile a view's `None` at `position` stands for, where the plan says so
        (shapes.py's none_tiles) and that tile is squeezed (else the None is a plain new dim)."""
        tile = self.k.none_tiles.get((id(node), position))
        if tile is None:
            return None
        return next((a for a in self.k.all_axes if a.squeezed and a.label == tile), None)

    def is_full_axis(self, axis: Axis) -> bool:
        return axis in self.k.full_axis_set

    def refuse_indexed_argument(self, node: cst.Subscript) -> None:
        """`xs[0][tile]` with `xs` a list or tuple of tensors: unpacked in host code, it works."""
        base = node.value
        while isinstance(base, cst.Subscript):
            base = base.value
        name = base.value if isinstance(base, cst.Name) else None
        if name in self.k.host.params and name not in self.k.host.tensors:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"the argument {name!r} indexed inside the device loop (a list of tensors?)",
                hint=f"unpack it in host code, before the loop: a, b = {name}",
            )

    def view(self, value: Value, node: cst.Subscript) -> Value:
        """`v[:, None]`, `v[None, :]`: new size-1 dimensions on a block."""
        parts, dims, source_dim = [], [], 0
        for part in without_ellipsis([element.slice for element in node.slice], value.rank):
            if (
                isinstance(part, cst.Slice)
                and part.lower is None
                and part.upper is None
                and part.step is None
            ):
                if source_dim >= value.rank:
                    raise self.k.source.error(
                        IndexRankError, part, "more ':' than the value has dimensions"
                    )
                if not is_squeezed(value.dims[source_dim]):  # no Triton dimension to slice
                    parts.append(ast.Slice())
                dims.append(value.dims[source_dim])
                source_dim += 1
            elif (
                isinstance(part, cst.Index)
                and isinstance(part.value, cst.Name)
                and part.value.value == "None"
            ):
                squeezed = self.none_standing_for_a_tile(node, len(dims))
                if squeezed is not None:  # stands for a squeezed tile (the plan's): no dim
                    dims.append(squeezed)
                    continue
                parts.append(ast.Constant(value=None))
                dims.append(None)
            elif source_dim < value.rank and value.dims[source_dim] is None and _first(part):
                parts.append(ast.Slice())  # `mx[:, 0]` of a [rows, 1] block: that dim dropped
                dims.append(_DROPPED)
                source_dim += 1
            else:
                self.refuse_indexed_argument(node)
                raise self.k.source.error(
                    UnsupportedConstructError,
                    part,
                    "indexing a block inside the device loop",
                    hint="only ':', None (v[:, None]) and 0 of a size-1 dimension (v[:, 0] "
                    "of a [rows, 1] block) index a block; for one element of a wider "
                    "dimension index the tensor itself: x[tile, 0]",
                )
        dims.extend(value.dims[source_dim:])
        parts.extend(ast.Slice() for _ in triton_dims(value.dims[source_dim:]))
        if _DROPPED in dims:
            kept = tuple(d for d in dims if d is not _DROPPED)
            viewed = self.view_parts(value, parts, [None if d is _DROPPED else d for d in dims])
            shape = self.k.dots.block_shape(kept)
            return block(expr("tl.reshape(a, s)", a=viewed.code, s=shape), kept, value.dtype)
        return self.view_parts(value, parts, dims)

    def view_parts(self, value: Value, parts: list, dims: list) -> Value:
        """The value subscripted by Triton `parts` (slices and Nones), of these dims."""
        if any(map(is_squeezed, dims)) and all(isinstance(p, ast.Slice) for p in parts):
            return block(value.code, tuple(dims), value.dtype)  # only squeezed tiles were named
        code = ast.Subscript(
            value=value.code, slice=ast.Tuple(elts=parts) if len(parts) > 1 else parts[0]
        )
        return block(code, tuple(dims), value.dtype)


_DROPPED = object()  # a size-1 dimension an index of 0 takes out (`mx[:, 0]`)


def _first(part: cst.BaseSlice) -> bool:
    """An index of 0 or -1: the one element of a size-1 dimension."""
    if not isinstance(part, cst.Index):
        return False
    value = part.value
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        return isinstance(value.expression, cst.Integer) and value.expression.value == "1"
    return isinstance(value, cst.Integer) and value.value == "0"


def _cast_to_element(code: ast.expr) -> bool:
    """`v.to(out_ptr.dtype.element_ty)` (in upcast_half): cast already (`.to(tl.int1)`
    compares with 0)."""
    if isinstance(code, ast.Call) and isinstance(code.func, ast.Name) and code.args:
        code = code.args[0] if code.func.id == "upcast_half" else code
    return (
        isinstance(code, ast.Call)
        and isinstance(code.func, ast.Attribute)
        and code.func.attr == "to"
        and len(code.args) == 1
        and ast.unparse(code.args[0]).endswith(".dtype.element_ty")
    )


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


def _crossed_hint(label: str) -> str:
    """A value spanning one tile twice (`x[tile, idx[tile]]`: each row with every row's index,
    as torch indexes a slice and a tensor): most often one element per row was meant."""
    return (
        f"the value spans {label} twice: x[{label}, idx[{label}]] pairs every row with every "
        f"row's index, as torch does; to pick one element per row write "
        f"x[{label}.index, idx[{label}]]"
    )
