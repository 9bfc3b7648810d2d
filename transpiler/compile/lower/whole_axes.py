"""Axes of whole dimensions (`x[tile, :]`): one per host size, defined once in the preamble."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from .reduction_loops import start_looped_axis
from .values import Axis

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class WholeAxes:
    """The whole-dimension axes of a loop, shared by every use of their size."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

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

    def is_full_axis(self, axis: Axis) -> bool:
        return axis in self.k.full_axis_set
