"""Helper functions holding device loops, called from a kernel's device loop (inlined there)."""

from __future__ import annotations

import helion
import helion.language as hl
import torch


def row_sums(x, tile_m, n):
    acc = hl.zeros([tile_m], dtype=torch.float32)
    for tile_n in hl.tile(n):
        acc = acc + x[tile_m, tile_n].to(torch.float32).sum(-1)
    return acc


def row_means(x, tile_m, n):
    return row_sums(x, tile_m, n) / n


def centered_squares(x, tile_m, n):
    # a helper calling a helper, then looping over the row again
    mean = row_means(x, tile_m, n)
    total = hl.zeros([tile_m], dtype=torch.float32)
    for tile_n in hl.tile(n):
        centered = x[tile_m, tile_n].to(torch.float32) - mean[:, None]
        total = total + (centered * centered).sum(-1)
    return total


def product_tile(x, y, tile_m, tile_n, k):
    acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
    for tile_k in hl.tile(k):
        acc = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc)
    return acc


@helion.kernel()
def scaled_row_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = row_sums(x, tile_m, n) * 2.0
    return out


@helion.kernel()
def row_sum_difference(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # the same helper twice in one expression: each call's result kept apart
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = row_sums(x, tile_m, n) - 3.0 * row_sums(y, tile_m, n)
    return out


@helion.kernel()
def row_variance(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        squares = centered_squares(x, tile_m, n)
        out[tile_m] = squares / (n - 1)
    return out


@helion.kernel()
def matmul_with_bias(x: torch.Tensor, y: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = (product_tile(x, y, tile_m, tile_n, k) + bias[None, tile_n]).to(
            out.dtype
        )
    return out
