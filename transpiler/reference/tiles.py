"""Reference mode's tiles: the `Tile` an `hl.tile` loop yields and the device allocations use."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Self

import torch

from .positions import HelionIndexing

# The device that reference-mode allocations (`hl.zeros`, `tile.index`, ...) land on;
# None means torch's default device.
_device: contextvars.ContextVar[torch.device | None] = contextvars.ContextVar(
    "reference_device", default=None
)


def current_device() -> torch.device | None:
    """The device reference-mode allocations use (None: torch's default)."""
    return _device.get()


@contextlib.contextmanager
def reference_device(device: torch.device | str | None) -> Iterator[None]:
    """Make `device` the current device for allocations inside the `with` block."""
    token = _device.set(torch.device(device) if device is not None else None)
    try:
        yield
    finally:
        _device.reset(token)


@dataclass(frozen=True)
class Tile:
    """One tile dimension covering [begin, end); in reference mode the whole range, or one
    block of a `block_size=` the source fixes (the `id`-th of `count`)."""

    begin: int
    end: int
    id: int = 0
    count: int = 1

    @property
    def block_size(self) -> int:
        """The lanes this tile has: eager code has no masked lanes past a range's end."""
        return self.end - self.begin

    def __index__(self) -> int:
        """As a size (`v.view(tile_m, 1)`, `v.expand(tile_m, tile_n)`): the tile's length.
        As an index, subscripts in kernels go through `index()` first, which makes a slice."""
        return self.block_size

    @property
    def slice(self) -> slice:
        return slice(self.begin, self.end)

    @property
    def index(self) -> torch.Tensor:
        """The indices the tile covers, [begin, ..., end - 1], as int64."""
        return torch.arange(self.begin, self.end, dtype=torch.int64, device=current_device())


class TileIndex(torch.Tensor):
    """A tile as a callable argument sees it in reference mode: the tile's indices (so
    `bias[tile[1]]` indexes), with the tile's attributes (`.begin`, `.end`, `.block_size`)."""

    __torch_function__ = torch._C._disabled_torch_function_impl  # results are plain tensors
    tile: Tile

    @classmethod
    def of(cls, tile: Tile) -> Self:
        indices = torch.Tensor._make_subclass(cls, tile.index)
        indices.tile = tile
        return indices

    @property
    def begin(self) -> int:
        return self.tile.begin

    @property
    def end(self) -> int:
        return self.tile.end

    @property
    def block_size(self) -> int:
        return self.tile.block_size

    @property
    def index(self) -> torch.Tensor:
        return self.tile.index


def with_tile_indices(function: Any) -> Any:
    """A callable argument wrapped so that tiles it receives are `TileIndex` tensors."""

    def convert(value: Any) -> Any:
        if isinstance(value, Tile):
            return TileIndex.of(value)
        if isinstance(value, (tuple, list)):
            return type(value)(convert(part) for part in value)
        return value

    def called_with_tile_indices(*args: Any, **kwargs: Any) -> Any:
        return function(*convert(args), **{k: convert(v) for k, v in kwargs.items()})

    return called_with_tile_indices


def _first_tensor_device(args: Sequence[Any], kwargs: dict[str, Any]) -> torch.device | None:
    for value in [*args, *kwargs.values()]:
        if isinstance(value, torch.Tensor):
            return value.device
    return None


def _indexing_tiles(value: Any) -> Any:
    return with_tile_indices(value) if isinstance(value, types.FunctionType) else value


def run_on_argument_device(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap `function` so tiles and `hl` allocations use its first tensor argument's device,
    and its subscripts read as Helion's do (positions.py)."""

    @functools.wraps(function)
    def on_argument_device(*args: Any, **kwargs: Any) -> Any:
        # callables passed in (epilogues) index with the tiles they are given: as index tensors
        args = tuple(_indexing_tiles(a) for a in args)
        kwargs = {k: _indexing_tiles(v) for k, v in kwargs.items()}
        with reference_device(_first_tensor_device(args, kwargs)), HelionIndexing():
            return function(*args, **kwargs)

    return on_argument_device
