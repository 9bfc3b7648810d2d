"""Loads of host tensors: `x[tile]` through named pointers or a TMA copy, reused if unchanged."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import assign, expr
from .values import Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class Loads:
    """`x[tile_m, :]` of a host tensor: its pointers named, loaded, the block reused."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def tensor_load(self, tensor: str, node: cst.Subscript) -> Value:
        """The block `tensor[index...]` reads (`node` that subscript)."""
        pointers, mask, dims = self.k.indexing.tensor_access(tensor, node)
        line = self.k.source.line_of(node)
        native = node in self.k.native_loads
        copied = self.k.descriptor_dims  # a leading scalar index as a squeezed tile
        descriptor = self.k.descriptor_copies.descriptor_for(tensor, copied)
        if descriptor is not None:  # TMA when the tensor allows it, else pointers
            self.k.sync_before_load(tensor, line)
            target = self.k.direct_target if node is self.k.direct_value else None
            loaded = self.k.descriptor_copies.descriptor_load(
                tensor,
                descriptor,
                copied,
                pointers,
                mask,
                native,
                line,
                target.value if isinstance(target, cst.Name) else None,
            )
        else:
            key = self.k.reused_loads.key(tensor, pointers, mask, native)
            reused = self.k.reused_loads.reuse(key)
            if reused is not None:  # read in this block already, nothing stored since
                return reused
            loaded = self.pointer_load(tensor, pointers, mask, native, line)
        self.k.note_load(tensor, dims)
        storage = expr("p.dtype.element_ty", p=self.k.tensor_pointer(tensor))
        direct = node is self.k.direct_value
        if not direct and descriptor is None:
            name = self.k.names.fresh(f"{tensor}_tile")
            self.k.emit(assign(name, loaded), line)
            loaded = ast.Name(id=name)
        value = replace(
            block(loaded, dims),
            storage=storage,
            native=native,
            zero_outside=frozenset(dims),
            loaded_from=frozenset({tensor}),
        )
        if descriptor is None and direct:
            self.k.reused_loads.hold_when_named(key, value, pointers, mask)
        elif descriptor is None:
            self.k.reused_loads.hold(key, value, pointers, mask)
        return value

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
