"""The values the cost model tracks for device expressions: dims, not data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from .cost import Dim


@dataclass(frozen=True)
class Block:
    """A device value: its dims; `loop` when it is the index of an hl.grid / range loop."""

    dims: tuple[Dim, ...] = ()
    floating: bool = True
    from_dot: bool = False
    loop: str | None = None


@dataclass(frozen=True)
class Host:
    """A host value (tensor on the meta device, int, float, dtype, module, ...)."""

    value: Any


@dataclass(frozen=True)
class Tiles:
    """A tile loop variable: the loops it stands for (several for `for tile in hl.tile(x.size())`)."""

    keys: tuple[str, ...]


@dataclass(frozen=True)
class BlockSize:
    """`tile.block_size`: a scalar, and the length of `hl.arange(tile.block_size)`."""

    key: str


@dataclass(frozen=True)
class Group:
    """A tuple of values (`torch.max(x, dim)`, list literals)."""

    items: tuple


def broadcast(*shapes: tuple[Dim, ...]) -> tuple[Dim, ...]:
    """Right-aligned broadcasting; of two different non-1 dims the tile one wins."""
    rank = max((len(s) for s in shapes), default=0)
    result: list[Dim] = []
    for position in range(rank):
        chosen = Dim()
        for shape in shapes:
            offset = position - (rank - len(shape))
            if offset < 0:
                continue
            dim = shape[offset]
            if chosen.is_one or (dim.tile is not None and chosen.tile is None):
                chosen = dim if not dim.is_one or chosen.is_one else chosen
        result.append(chosen)
    return tuple(result)


def is_floating(value: object) -> bool:
    if isinstance(value, Block):
        return value.floating
    if isinstance(value, Host):
        if isinstance(value.value, torch.Tensor):
            return value.value.dtype.is_floating_point
        return isinstance(value.value, float)
    return False


def dtype_floating(dtype: object, default: bool) -> bool:
    if isinstance(dtype, torch.dtype):
        return dtype.is_floating_point
    if isinstance(dtype, str):
        return getattr(torch, dtype).is_floating_point
    return default
