"""Kernels of our own with the constructs Helion's newest examples use (issue 15)."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def side_by_side(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    # slices whose bounds are host sizes: `:width` and `width:` of the output's columns
    rows = left.size(0)
    out = torch.empty([rows, left.size(1) + right.size(1)], dtype=left.dtype, device=left.device)
    width = left.size(1)
    for tile_r in hl.tile(rows):
        out[tile_r, :width] = left[tile_r, :] * 2.0
        out[tile_r, width:] = right[tile_r, :] + 1.0
    return out


@helion.kernel()
def shifted_window(x: torch.Tensor, skip: int) -> torch.Tensor:
    # a slice from a host integer argument to the end, read (not written)
    n = x.shape[1]
    out = torch.empty([x.shape[0], n - skip], dtype=x.dtype, device=x.device)
    for tile_r in hl.tile(x.shape[0]):
        out[tile_r, :] = torch.relu(x[tile_r, skip:])
    return out


from math import tau  # noqa: E402 - module globals of the next kernel, imported and assigned

from torch import float16 as HALF_PRECISION  # noqa: E402

STORE_DTYPE = HALF_PRECISION


@helion.kernel()
def turns_to_radians(turns: torch.Tensor) -> torch.Tensor:
    # a dtype and a number bound at module level, read in the device loop
    out = torch.empty(turns.size(), dtype=STORE_DTYPE, device=turns.device)
    for tile in hl.tile(turns.size()):
        out[tile] = (turns[tile] * tau).to(STORE_DTYPE)
    return out
