"""Element-wise kernels: written against Helion's own import names, as users write them."""

import math

import helion
import helion.language as hl
import torch


@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


@helion.kernel()
def scale_shift(x: torch.Tensor, scale: float, shift: float = 0.5) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * scale + shift
    return out


@helion.kernel()
def outer_add(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty([a.size(0), b.size(0)], dtype=a.dtype, device=a.device)
    for tile_i, tile_j in hl.tile(out.size()):
        out[tile_i, tile_j] = a[tile_i, None] + b[None, tile_j]
    return out


@helion.kernel()
def transpose(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_n, tile_m] = x[tile_m, tile_n].T
    return out


@helion.kernel()
def axpy_range(
    x: torch.Tensor, y: torch.Tensor, alpha: float, begin: int, end: int
) -> torch.Tensor:
    out = y.clone()
    for tile in hl.tile(begin, end):
        out[tile] = alpha * x[tile] + y[tile]
    return out


@helion.kernel()
def tile_info(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n, block_size=16):
        out[tile] = x[tile] + tile.index * 2 + tile.begin - tile.end + tile.block_size
    return out


@helion.kernel()
def grid_rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(m):
        row = x[i, :]
        out[i, :] = row - i
    return out


@helion.kernel()
def gelu_mix(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = x[tile]
        b = y[tile]
        gated = torch.nn.functional.gelu(a, approximate="tanh") * torch.sigmoid(b)
        out[tile] = torch.where(a > b, gated, torch.nn.functional.gelu(b)) + torch.clamp(
            a, min=-0.5, max=0.5
        )
    return out


@helion.kernel()
def int_arith(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(a)
    for tile in hl.tile(a.size(0)):
        x = a[tile]
        y = b[tile]
        out[tile] = x // y + x % y * 3 - (x & 7) + (y | 1) - (x ^ y) + (x > y).to(torch.int32)
    return out


@helion.kernel()
def accumulate(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        out[tile] += x[tile] ** 2
    return out


@helion.kernel()
def language_bits(x: torch.Tensor, flags: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    scale = 1.0 / math.sqrt(n)
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n], block_size=[4, 8]):
        values = x[tile_m, tile_n]
        ids = hl.arange(tile_n.block_size) + tile_n.begin
        column = ids.unsqueeze(0).to(torch.float32)
        rows = tile_m.index[:, None] + tile_m.id * 0
        negated = -values * scale
        flipped = torch.where(~(flags[tile_m, tile_n] > 0), negated, values.abs())
        out[tile_m, tile_n] = (
            flipped + column * 0.001 + rows.to(torch.float32) + values.T.transpose(0, 1)
        )
    return out


@helion.kernel()
def promote(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty(a.size(0), dtype=torch.float32, device=a.device)
    for tile in hl.tile(a.size(0)):
        out[tile] = a[tile] * 0.5 + b[tile] / a[tile]
    return out


@helion.kernel()
def views(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        values = x[tile_m, tile_n]
        ones = torch.ones_like(values)
        half = torch.full_like(values, 0.5)
        row_sums = values.sum(dim=1).view(tile_m, 1).expand(tile_m, tile_n)
        zeros = values.new_zeros([tile_m, tile_n])
        column = values.sum(dim=0).reshape(1, tile_n).expand_as(values)
        out[tile_m, tile_n] = values * ones + half + row_sums + zeros + column
    return out
