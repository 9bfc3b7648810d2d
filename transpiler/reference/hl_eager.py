"""hl's functions run eagerly (reference mode): every tile covers its whole range; the hl table
(ops/hl.py) names each one."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias

import torch

from .contention import apply_atomically
from .positions import helion_position
from .tiles import Tile, current_device

SizeLike: TypeAlias = int | torch.Tensor | torch.SymInt
Sizes: TypeAlias = SizeLike | Sequence[SizeLike]


def _as_int(value: Any) -> int:
    """An int from an int, a 0-dim tensor or a SymInt-like."""
    if isinstance(value, Tile):
        return value.block_size
    return int(value)


def _is_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple))


def _begins_and_ends(begin_or_end: Sizes, end_or_none: Sizes | None) -> tuple[list[int], list[int]]:
    """Begin and end per dimension, from `(end)` or `(begin, end)`, each scalar or sequence."""
    if end_or_none is None:
        ends = begin_or_end
        begins: Sizes = [0] * len(ends) if _is_sequence(ends) else 0
    else:
        begins, ends = begin_or_end, end_or_none
    if _is_sequence(begins) != _is_sequence(ends):
        raise TypeError("hl.tile/hl.grid: begin and end must both be sizes or both sequences")
    if not _is_sequence(ends):
        return [_as_int(begins)], [_as_int(ends)]
    if len(begins) != len(ends):
        raise TypeError(f"hl.tile/hl.grid: {len(begins)} begins for {len(ends)} ends")
    return [_as_int(b) for b in begins], [_as_int(e) for e in ends]


def tile(
    begin_or_end: Sizes,
    end_or_none: Sizes | None = None,
    /,
    block_size: object = None,
) -> Iterator[Tile] | Iterator[tuple[Tile, ...]]:
    """Yield one tile per dimension covering the whole range (nothing if the range is empty).

    A scalar size yields a `Tile`; a list, tuple or `torch.Size` yields one tuple of tiles.
    Reference mode uses one tile per range, except along a dimension whose `block_size` the
    source fixes: there the tiles are those blocks (so `tile.id` indexes what it does on the GPU).
    """
    begins, ends = _begins_and_ends(begin_or_end, end_or_none)
    if any(end <= begin for begin, end in zip(begins, ends)):
        return
    blocks = list(block_size) if _is_sequence(block_size) else [block_size] * len(ends)
    if len(blocks) != len(ends):
        raise TypeError(f"hl.tile: {len(blocks)} block sizes for {len(ends)} dimensions")
    per_dimension = [_blocks(b, e, size) for b, e, size in zip(begins, ends, blocks)]
    for tiles in itertools.product(*per_dimension):
        yield tiles if _is_sequence(begin_or_end) else tiles[0]


def _blocks(begin: int, end: int, block_size: object) -> list[Tile]:
    """The tiles of [begin, end): one, or blocks of a fixed size."""
    if block_size is None:
        return [Tile(begin, end)]
    size = _as_int(block_size)
    if size <= 0:
        raise ValueError(f"hl.tile: block_size must be positive, got {size}")
    count = -(-(end - begin) // size)
    return [
        Tile(start, min(start + size, end), start // size, count)
        for start in range(begin, end, size)
    ]


def jagged_tile(parent: SizeLike) -> Iterator[Tile]:
    """One whole tile of the lane's own length: reference mode runs the tiles a jagged loop's
    lengths come from one lane at a time (jagged_lanes.py), so `parent` holds one value."""
    yield from _lane_tile(parent, "hl.jagged_tile")


def vtile(parent: SizeLike) -> Iterator[Tile]:
    """Helion's later name for `jagged_tile`."""
    yield from _lane_tile(parent, "hl.vtile")


def _lane_tile(parent: SizeLike, spelled: str) -> Iterator[Tile]:
    lanes = parent.numel() if isinstance(parent, torch.Tensor) else 1
    if lanes != 1:
        raise NotImplementedError(
            f"{spelled} in reference mode: its lengths hold {lanes} values, one per lane of "
            "the enclosing tiles, and reference mode runs a jagged loop one lane at a time; "
            "give the enclosing tile loop no block_size (reference mode then tiles it one "
            "lane at a time), or write the loop as hl.tile(0, lengths.amax()) with an explicit mask"
        )
    end = _as_int(parent.reshape(()) if isinstance(parent, torch.Tensor) else parent)
    if end > 0:
        yield Tile(0, end)


def grid(
    begin_or_end: Sizes,
    end_or_none: Sizes | None = None,
    /,
    step: Sizes | None = None,
) -> Iterator[int] | Iterator[tuple[int, ...]]:
    """Yield every integer (or tuple of integers) in the range, like nested `range` loops."""
    begins, ends = _begins_and_ends(begin_or_end, end_or_none)
    if step is None:
        steps = [1] * len(ends)
    else:
        steps = [_as_int(s) for s in step] if _is_sequence(step) else [_as_int(step)]
    ranges = [range(b, e, s) for b, e, s in zip(begins, ends, steps)]
    if _is_sequence(begin_or_end):
        yield from itertools.product(*ranges)
    else:
        yield from ranges[0]


def _shape(shape: object) -> list[int]:
    """A concrete shape from entries that may be ints, tiles or tuples of tiles."""
    entries = shape if _is_sequence(shape) else [shape]
    sizes: list[int] = []
    for entry in entries:
        if _is_sequence(entry):
            sizes.extend(_as_int(part) for part in entry)
        else:
            sizes.append(_as_int(entry))
    return sizes


def zeros(
    shape: object, dtype: torch.dtype = torch.float32, device: torch.device | None = None
) -> torch.Tensor:
    """A tensor of zeros whose shape may name tiles (each contributes its block size)."""
    return torch.zeros(_shape(shape), dtype=dtype, device=device or current_device())


def full(
    shape: object,
    value: float | bool | torch.Tensor,
    dtype: torch.dtype = torch.float32,
    device: torch.device | None = None,
) -> torch.Tensor:
    """A tensor filled with `value` whose shape may name tiles."""
    if isinstance(value, torch.Tensor):
        value = value.item()
    return torch.full(_shape(shape), value, dtype=dtype, device=device or current_device())


def arange(
    *args: SizeLike | Tile, dtype: torch.dtype | None = None, device: torch.device | None = None
) -> torch.Tensor:
    """`torch.arange` on the current device; a tile argument stands for its block size."""
    bounds = [_as_int(arg) for arg in args]
    return torch.arange(*bounds, dtype=dtype, device=device or current_device())


def cumsum(input_tensor: torch.Tensor, dim: int, reverse: bool = False) -> torch.Tensor:
    """Inclusive prefix sum along `dim` (from the end when `reverse`)."""
    if reverse:
        return torch.cumsum(input_tensor.flip(dim), dim).flip(dim)
    return torch.cumsum(input_tensor, dim)


def cumprod(input_tensor: torch.Tensor, dim: int, reverse: bool = False) -> torch.Tensor:
    """Inclusive prefix product along `dim` (from the end when `reverse`)."""
    if reverse:
        return torch.cumprod(input_tensor.flip(dim), dim).flip(dim)
    return torch.cumprod(input_tensor, dim)


def _combine_steps(
    combine_fn: Callable[..., Any], inputs: list[torch.Tensor], dim: int
) -> Iterator[list[torch.Tensor]]:
    """The running combination along `dim`, one step per index (the first is the first slice)."""
    running = [t.select(dim, 0) for t in inputs]
    yield running
    for index in range(1, inputs[0].size(dim)):
        result = combine_fn(*running, *[t.select(dim, index) for t in inputs])
        running = list(result) if isinstance(result, (tuple, list)) else [result]
        yield running


def associative_scan(
    combine_fn: Callable[..., Any],
    input_tensor: torch.Tensor | tuple[torch.Tensor, ...],
    dim: int,
    reverse: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """Inclusive scan along `dim` with `combine_fn(*lefts, *rights)`, one step after another."""
    single = isinstance(input_tensor, torch.Tensor)
    inputs = [input_tensor] if single else list(input_tensor)
    if inputs[0].size(dim) == 0:
        return input_tensor
    if reverse:
        inputs = [t.flip(dim) for t in inputs]
    steps = list(_combine_steps(combine_fn, inputs, dim))
    outputs = [torch.stack([step[i] for step in steps], dim) for i in range(len(inputs))]
    if reverse:
        outputs = [t.flip(dim) for t in outputs]
    return outputs[0] if single else tuple(outputs)


def reduce(
    combine_fn: Callable[..., Any],
    input_tensor: torch.Tensor | tuple[torch.Tensor, ...],
    dim: int | None = None,
    other: Any = 0,
    keep_dims: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, ...]:
    """Reduction along `dim` with `combine_fn(*lefts, *rights)` (`other` fills masked lanes in
    generated code; eagerly there are none)."""
    single = isinstance(input_tensor, torch.Tensor)
    inputs = [input_tensor] if single else list(input_tensor)
    if dim is None:
        inputs, dim = [t.reshape(-1) for t in inputs], 0
    *_, last = _combine_steps(combine_fn, inputs, dim)
    if keep_dims:
        last = [t.unsqueeze(dim) for t in last]
    return last[0] if single else tuple(last)


def split(tensor: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The two lanes of a last dimension of size 2, as two tensors without that dimension."""
    if tensor.dim() == 0 or tensor.size(-1) != 2:
        raise ValueError(
            f"hl.split needs a last dimension of size 2, not shape {list(tensor.shape)}"
        )
    return tensor[..., 0], tensor[..., 1]


def join(tensor0: torch.Tensor | float, tensor1: torch.Tensor | float) -> torch.Tensor:
    """A new last dimension of size 2 holding `tensor0` then `tensor1` (broadcast together)."""
    tensors = [part for part in (tensor0, tensor1) if isinstance(part, torch.Tensor)]
    device = tensors[0].device if tensors else current_device()
    first = torch.as_tensor(tensor0, device=device)
    second = torch.as_tensor(tensor1, device=device)
    return torch.stack(torch.broadcast_tensors(first, second), dim=-1)


def specialize(value: Any) -> Any:
    """Mark a size as compile-time constant; eagerly the value itself."""
    return value


def register_reduction_dim(size: Any) -> Any:
    """Mark a size as a dimension a kernel reduces over whole; eagerly the size itself."""
    return size


class constexpr:  # noqa: N801 - spelled as in Helion (`hl.constexpr`)
    """Annotation marking a compile-time constant argument; `hl.constexpr(v)` is `v`."""

    def __new__(cls, value: Any) -> Any:
        return value


def register_block_size(min_or_max: SizeLike, max_or_none: SizeLike | None = None) -> int:
    """A block size to share between loops; reference mode uses the whole range (the max)."""
    return _as_int(min_or_max if max_or_none is None else max_or_none)


def _one_tile(tile: Any) -> Tile:
    """The tile itself (`hl.tile(x.size())` over one dimension gives a tuple of one)."""
    if _is_sequence(tile) and len(tile) == 1:
        return tile[0]
    return tile


def tile_index(tile: Tile) -> torch.Tensor:
    """`tile.index`, spelt as a function (Helion's older API)."""
    return _one_tile(tile).index


def tile_begin(tile: Tile) -> int:
    """`tile.begin`, spelt as a function."""
    return _one_tile(tile).begin


def tile_end(tile: Tile) -> int:
    """`tile.end`, spelt as a function."""
    return _one_tile(tile).end


def tile_block_size(tile: Tile) -> int:
    """`tile.block_size`, spelt as a function."""
    return _one_tile(tile).block_size


def tile_id(tile: Tile) -> int:
    """`tile.id`, spelt as a function."""
    return _one_tile(tile).id


def tile_count(tile: Tile) -> int:
    """`tile.count`, spelt as a function: the number of tiles along the loop."""
    return _one_tile(tile).count


def register_tunable(name: str, fragment: Any) -> Any:
    """A tunable value; reference mode takes the fragment's default (or the value itself)."""
    default = getattr(fragment, "default", fragment)
    return default() if callable(default) else default


def barrier() -> None:
    """Grid-wide barrier between two device loops; eagerly a no-op (the loops run in order)."""
    return None


def static_range(
    begin_or_end: SizeLike, end_or_none: SizeLike | None = None, /, step: SizeLike = 1
) -> range:
    """A loop unrolled at compile time; eagerly a plain `range`."""
    begin, end = (0, begin_or_end) if end_or_none is None else (begin_or_end, end_or_none)
    return range(_as_int(begin), _as_int(end), _as_int(step))


def device_print(prefix: str, *values: Any) -> None:
    """Print from inside a kernel; eagerly `print` of the prefix and the whole values."""
    print(prefix, *values)


def index(value: Any) -> Any:
    """One subscript element for eager indexing: tiles become slices, the rest is unchanged.

    A tuple (or list) holding tiles becomes a tuple with each tile as its slice; a tuple of
    one tile becomes that tile's slice, so `x[tile, :]` works for `tile` from `hl.tile([m])`.
    """
    if isinstance(value, Tile):
        return value.slice
    if _is_sequence(value) and any(isinstance(part, Tile) for part in value):
        slices = tuple(index(part) for part in value)
        return slices[0] if len(slices) == 1 else slices
    return value


def dot(
    mat1: torch.Tensor,
    mat2: torch.Tensor,
    acc: torch.Tensor | None = None,
    out_dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """`hl.dot`: a matrix product computed in float32 (or out_dtype), plus `acc` when given."""
    dtype = out_dtype or (acc.dtype if acc is not None else torch.float32)
    product = torch.matmul(mat1.to(dtype), mat2.to(dtype))
    return product if acc is None else acc + product


def stored(tensor: Any, value: Any) -> Any:
    """What `tensor[tile] = value` writes: the value in the tensor's dtype, as generated code
    casts on store (eager index_put would refuse a float32 value for a bfloat16 tensor)."""
    if isinstance(tensor, torch.Tensor) and isinstance(value, torch.Tensor):
        return value.to(tensor.dtype)
    return value


def _position(index_list: list[Any] | tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(index(part) for part in index_list)


def load(
    tensor: torch.Tensor, index: list[Any], extra_mask: Any = None, eviction_policy: Any = None
) -> torch.Tensor:
    """`hl.load(x, [i, j])`: x[i, j] (lanes where extra_mask is False read as 0; the eviction
    policy changes only speed)."""
    position = helion_position(tensor, _position(index))
    if extra_mask is not None:  # masked-out lanes may index outside the tensor: read a safe one
        position = _clamped(tensor, position)
        tensor = _padded(tensor, position)
    values = tensor[position]
    return values if extra_mask is None else torch.where(extra_mask, values, 0)


def _padded(tensor: torch.Tensor, position: tuple[Any, ...]) -> torch.Tensor:
    """The tensor with zeros after its end where a tile's slice reaches past it (a tile over
    `x.size(1) + y.size(1)` loading x under an extra_mask): the slice keeps its length."""
    pads: list[int] = []
    for dim in reversed(range(tensor.dim())):
        part = position[dim] if dim < len(position) else None
        stop = part.stop if isinstance(part, slice) else None
        pads += [0, max(0, stop - tensor.size(dim)) if isinstance(stop, int) else 0]
    if not any(pads):
        return tensor
    return torch.nn.functional.pad(tensor, pads)


def store(tensor: torch.Tensor, index: list[Any], value: Any, extra_mask: Any = None) -> None:
    """`hl.store(x, [i, j], v)`: x[i, j] = v (only where extra_mask holds)."""
    position = helion_position(tensor, _position(index))
    if extra_mask is None:
        tensor[position] = value
        return
    # Masked-out lanes may index outside the tensor: find each lane's coordinates (indexing
    # one coordinate grid per dimension at safe positions), then write the lanes the mask keeps.
    position = _clamped(tensor, position)
    grids = [
        torch.arange(size, device=tensor.device).view(
            [-1 if d == i else 1 for d in range(tensor.dim())]
        )
        for i, size in enumerate(tensor.shape)
    ]
    coordinates = [grid.expand(tensor.shape)[position] for grid in grids]
    value = torch.as_tensor(value, device=tensor.device)
    *coordinates, value, keep = torch.broadcast_tensors(
        *coordinates, value, torch.as_tensor(extra_mask, device=tensor.device)
    )
    tensor[tuple(c[keep] for c in coordinates)] = value[keep].to(tensor.dtype)


def _clamped(tensor: torch.Tensor, position: tuple[Any, ...]) -> tuple[Any, ...]:
    """Index tensors clamped into the tensor's bounds (slices and ints are left alone)."""
    return tuple(
        p.clamp(0, tensor.size(d) - 1) if isinstance(p, torch.Tensor) else p
        for d, p in enumerate(position)
    )


def _atomic(update: Any) -> Any:
    def atomic(
        target: torch.Tensor, index: list[Any], value: Any, sem: str = "relaxed"
    ) -> torch.Tensor:
        return apply_atomically(target, _position(index), value, update)

    return atomic


atomic_add = _atomic(torch.add)
atomic_max = _atomic(torch.maximum)
atomic_min = _atomic(torch.minimum)
atomic_and = _atomic(torch.bitwise_and)
atomic_or = _atomic(torch.bitwise_or)
atomic_xor = _atomic(torch.bitwise_xor)
atomic_xchg = _atomic(lambda old, new: new.expand_as(old))


def atomic_cas(
    target: torch.Tensor, index: list[Any], expected: Any, value: Any, sem: str = "relaxed"
) -> torch.Tensor:
    """Compare-and-swap: where the element equals `expected`, write `value`; returns the old
    values."""
    position = _position(index)
    old = target[position].clone()
    target[position] = torch.where(old == expected, torch.as_tensor(value, dtype=target.dtype), old)
    return old
