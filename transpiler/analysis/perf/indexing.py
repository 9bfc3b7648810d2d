"""Loads and stores of host tensors: the dims a subscript touches, and views of device values."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
import torch

from .cost import Access, Dim
from .values import Block, Host, Tiles, broadcast

if TYPE_CHECKING:
    from .walk import Walker


class Indexing:
    """The walker's component: subscripts of host tensors (loads, stores) and of device values."""

    def __init__(self, w: Walker) -> None:
        self.w = w

    def load(self, node: cst.Subscript, tensor: torch.Tensor) -> Block:
        dims = self.access(node, tensor, store=False)
        return Block(dims, tensor.dtype.is_floating_point)

    def access(self, node: cst.Subscript, tensor: torch.Tensor, store: bool) -> tuple[Dim, ...]:
        dims, scalar_loops = self.index_dims(node, tensor)
        root = tensor._base if tensor._base is not None else tensor
        name, _ = self.w.storages.setdefault(id(root), (self.w.source.code(node.value), root))
        storage = root.untyped_storage().nbytes() // max(root.element_size(), 1)
        self.w.work.accesses.append(
            Access(
                name,
                store,
                dims,
                tuple(self.w.active),
                tuple(scalar_loops),
                tensor.element_size(),
                max(storage, root.numel()),
            )
        )
        return dims

    def index_dims(self, node: cst.Subscript, tensor: torch.Tensor) -> tuple[tuple, list]:
        """The dims a subscript of a host tensor loads, and the scalar loop indices in it."""
        elements = [e.slice for e in node.slice]
        dims: list[Dim] = []
        scalar_loops: list[str] = []
        position, gathered = 0, None
        for number, element in enumerate(elements):
            if isinstance(element, cst.Slice):
                dims.append(Dim(self.slice_size(node, element, tensor.size(position))))
                position += 1
                continue
            if isinstance(element.value, cst.Name) and element.value.value == "None":
                dims.append(Dim())
                continue
            if isinstance(element.value, cst.Ellipsis):
                rest = sum(not _is_none(e) for e in elements[number + 1 :])
                while position < tensor.dim() - rest:
                    dims.append(self.whole(tensor.size(position)))
                    position += 1
                continue
            value = self.w.expressions.ev(element.value)
            if isinstance(value, Tiles):
                dims.extend(Dim(tile=key) for key in value.keys)
                position += len(value.keys)
            elif isinstance(value, Block) and value.dims:
                if gathered is None:
                    gathered = len(dims)
                    dims.extend(value.dims)
                else:  # several index blocks broadcast together, as in torch
                    merged = _broadcast_at(dims, gathered, value.dims)
                    dims = merged
                position += 1
            elif isinstance(value, Block) or isinstance(value, Host):
                if isinstance(value, Block) and value.loop is not None:
                    scalar_loops.append(value.loop)
                position += 1
            else:
                raise self.w.error(node, "this index")
        while position < tensor.dim():
            dims.append(self.whole(tensor.size(position)))
            position += 1
        return tuple(dims), scalar_loops

    def whole(self, size: int) -> Dim:
        self.w.work.whole_sizes[self.w.top].add(size)
        return Dim(size)

    def slice_size(self, node: cst.CSTNode, element: cst.Slice, size: int) -> int:
        if element.lower is None and element.upper is None and element.step is None:
            return self.whole(size).size
        bounds = [
            None if part is None else self.w.host_value(node, part)
            for part in (element.lower, element.upper, element.step)
        ]
        return len(range(size)[slice(*bounds)])

    def view_index(self, node: cst.Subscript, value: Block) -> Block:
        dims, position = [], 0
        for element in (e.slice for e in node.slice):
            if isinstance(element, cst.Slice):
                dims.append(value.dims[position])
                position += 1
            elif _is_none(element):
                dims.append(Dim())
            else:
                position += 1  # an integer index drops the dimension
        dims.extend(value.dims[position:])
        return Block(tuple(dims), value.floating, value.from_dot)


def _is_none(element: cst.BaseSlice) -> bool:
    return (
        isinstance(element, cst.Index)
        and isinstance(element.value, cst.Name)
        and element.value.value == "None"
    )


def _broadcast_at(dims: list[Dim], start: int, other: tuple[Dim, ...]) -> list[Dim]:
    width = len(other)
    merged = broadcast(tuple(dims[start : start + width]), other)
    return dims[:start] + list(merged) + dims[start + width :]
