"""torch.stack / torch.cat of a few blocks inside a kernel, and hl.split / hl.join."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def interleave(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """[n] and [n] → [n, 2]: a[i], b[i] side by side."""
    n = a.size(0)
    out = torch.empty([n, 2], dtype=a.dtype, device=a.device)
    for tile in hl.tile(n):
        out[tile, :] = torch.stack([a[tile], b[tile]], dim=1)
    return out


@helion.kernel()
def powers(x: torch.Tensor) -> torch.Tensor:
    """[n] → [4, n]: x, x², x³ and 1 / x, stacked along a new first dimension."""
    n = x.size(0)
    out = torch.empty([4, n], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        v = x[tile]
        out[:, tile] = torch.stack([v, v * v, v * v * v, 1.0 / v])
    return out


@helion.kernel()
def stack_middle(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[m, n] and [m, n] → [m, 2, n]: a new middle dimension (a 3-D permutation)."""
    m, n = x.size()
    out = torch.empty([m, 2, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, :, tile_n] = torch.stack([x[tile_m, tile_n], y[tile_m, tile_n]], dim=1)
    return out


@helion.kernel()
def swap_pairs(x: torch.Tensor) -> torch.Tensor:
    """[n, 2] → [n, 2] with the two lanes swapped (hl.split, then hl.join the other way)."""
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        first, second = hl.split(x[tile, :])
        out[tile, :] = hl.join(second, first)
    return out


@helion.kernel()
def cat_pairs(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[n, 2] and [n, 2] → [n, 4]: torch.cat of two pairs along their lanes."""
    n = x.size(0)
    out = torch.empty([n, 4], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        x_first, x_second = hl.split(x[tile, :])
        y_first, y_second = hl.split(y[tile, :])
        pair = hl.join(x_first, x_second)
        doubled = hl.join(y_first * 2.0, y_second * 2.0)
        out[tile, :] = torch.cat([pair, doubled], dim=1)
    return out


@helion.kernel()
def cat_columns(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """[n] and [n] → [n, 2] through torch.cat of two [tile, 1] columns."""
    n = a.size(0)
    out = torch.empty([n, 2], dtype=a.dtype, device=a.device)
    for tile in hl.tile(n):
        out[tile, :] = torch.cat([a[tile][:, None], b[tile][:, None]], dim=-1)
    return out
