"""Subscripts as Helion reads them, where torch would refuse them (reference mode).

Two readings differ from torch's eager indexing, and in both torch raises where Helion (and the
generated code) reads a value, so a kernel torch runs gives the same result either way:
- a dimension of size 1 has offset 0 whatever index it is given: Helion drops a size-1
  dimension's term from the offset (`mask[b, h, row]` of a mask made for one batch and one
  head, `b` and `h` past 0). Its valid indices, 0 and -1, name that element anyway.
- adjacent one-dimensional index tensors of lengths torch cannot broadcast together
  (`hl.load(a, [rows, tile_k.index])`, 128 rows and 256 columns) cross, one dimension each:
  the rows × columns block. Equal lengths stay paired as torch pairs them (reference mode
  cannot tell the arange of one tile from another's when their lengths agree).
"""

from __future__ import annotations

from typing import Any

import torch
from torch.overrides import TorchFunctionMode


def _is_integer_index(part: Any) -> bool:
    if isinstance(part, torch.Tensor):
        return not part.dtype.is_floating_point and part.dtype != torch.bool
    return isinstance(part, int) and not isinstance(part, bool) or hasattr(part, "__index__")


def _dims_taken(part: Any) -> int | None:
    """How many of the tensor's dimensions one subscript element consumes (None: unknown)."""
    if part is None or part is Ellipsis:
        return 0
    if isinstance(part, bool):  # x[True] adds a dimension: left as torch reads it
        return None
    if isinstance(part, torch.Tensor):
        return part.dim() if part.dtype == torch.bool else 1
    if isinstance(part, (slice, int)) or hasattr(part, "__index__"):
        return 1
    return None


def _crossed(parts: list[Any]) -> list[Any]:
    """Runs of adjacent 1-D integer index tensors whose lengths torch cannot broadcast
    together, each given its own dimension (an outer product), in the run's order."""
    out = list(parts)
    start = 0
    while start < len(out):
        end = start
        while end < len(out) and isinstance(out[end], torch.Tensor) and out[end].dim() == 1:
            end += 1
        run = out[start:end]
        if len(run) >= 2 and all(_is_integer_index(t) for t in run):
            lengths = {t.numel() for t in run} - {1}
            if len(lengths) > 1:
                for i, t in enumerate(run):
                    shape = [1] * len(run)
                    shape[i] = -1
                    out[start + i] = t.reshape(shape)
        start = end + 1
    return out


def helion_position(tensor: torch.Tensor, position: Any) -> Any:
    """`position` (a subscript's elements) as Helion reads it on `tensor` (see above);
    unchanged where nothing applies or its form is not understood."""
    if isinstance(position, list) or not isinstance(tensor, torch.Tensor):
        return position
    parts = list(position) if isinstance(position, tuple) else [position]
    taken = [_dims_taken(p) for p in parts]
    if any(t is None for t in taken) or sum(p is Ellipsis for p in parts) > 1:
        return position
    changed = False
    if 1 in tensor.shape:
        rest = tensor.dim() - sum(t for t in taken if t is not None)
        dim = 0
        for i, part in enumerate(parts):
            if part is Ellipsis:
                dim += rest
                continue
            if taken[i] == 1 and dim < tensor.dim() and tensor.size(dim) == 1:
                if isinstance(part, torch.Tensor) and _is_integer_index(part):
                    parts[i], changed = torch.zeros_like(part), True
                elif not isinstance(part, (slice, torch.Tensor)) and _is_integer_index(part):
                    parts[i], changed = 0, True
            dim += taken[i] or 0
    crossed = _crossed(parts)
    if any(a is not b for a, b in zip(crossed, parts)):
        parts, changed = crossed, True
    if not changed:
        return position
    return tuple(parts) if isinstance(position, tuple) or len(parts) != 1 else parts[0]


class HelionIndexing(TorchFunctionMode):
    """While active, `tensor[...]` reads and writes as Helion does (helion_position)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.__getitem__ or func is torch.Tensor.__setitem__:
            args = (args[0], helion_position(args[0], args[1]), *args[2:])
        return func(*args, **kwargs)
