"""hl names that do not tile, run eagerly: random numbers (Triton's Philox) and the escape
hatches into Triton, which reference mode cannot run."""

from __future__ import annotations

from typing import Any

import torch

from .philox import philox_rand, philox_randint
from .tiles import Tile, current_device


class ReferenceUnsupportedError(NotImplementedError):
    """Reference mode cannot run this part of the kernel (Triton code the user wrote)."""


def inline_triton(triton_source: str, args: Any, output_like: Any) -> Any:
    """`hl.inline_triton`: Triton code spliced into the kernel; it has no eager meaning."""
    raise ReferenceUnsupportedError(
        "reference mode does not run inline Triton (hl.inline_triton): the generated kernel "
        "cannot be checked against it"
    )


def triton_kernel(triton_source_or_fn: Any, args: Any, output_like: Any = None) -> Any:
    """`hl.triton_kernel`: a call of the user's @triton.jit function; no eager meaning."""
    raise ReferenceUnsupportedError(
        "reference mode does not run @triton.jit functions (hl.triton_kernel): the generated "
        "kernel cannot be checked against it"
    )


def random_offsets(shape: object) -> torch.Tensor:
    """Each element's linear index in the index space the shape's tiles and sizes span.

    A tile stands for its indices and its range's end (the extent), an int for `arange(n)`
    and `n`: offset = Σ index_d · Π extent_e (e > d), as the generated kernel computes it."""
    entries = shape if isinstance(shape, (list, tuple)) else [shape]
    flat = [
        part
        for entry in entries
        for part in (entry if isinstance(entry, (list, tuple)) else [entry])
    ]
    offsets = torch.zeros((), dtype=torch.int64, device=current_device())
    for entry in flat:
        if isinstance(entry, Tile):
            indices, extent = entry.index, entry.end
        else:
            extent = int(entry)
            indices = torch.arange(extent, dtype=torch.int64, device=current_device())
        offsets = offsets.unsqueeze(-1) * extent + indices
    return offsets


def rand(
    shape: object, seed: int | torch.Tensor, device: torch.device | None = None
) -> torch.Tensor:
    """`hl.rand`: float32 uniform in [0, 1), Triton's Philox numbers for these offsets."""
    return philox_rand(seed, random_offsets(shape))


def randint(
    shape: object,
    low: int,
    high: int,
    seed: int | torch.Tensor,
    device: torch.device | None = None,
) -> torch.Tensor:
    """`hl.randint`: int32 in [low, high), from the same Philox words as `hl.rand`."""
    if low >= high:
        raise ValueError(f"hl.randint: low ({low}) must be less than high ({high})")
    return philox_randint(seed, random_offsets(shape), low, high)
