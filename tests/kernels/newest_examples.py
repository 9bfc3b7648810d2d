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
