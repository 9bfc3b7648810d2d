"""A whole-value reduction with keepdim=True over a tile of block size 1 (a squeezed tile).

The syntax fuzzer (CI of 45a005b) dropped `dim=-1` from `row.amax(dim=-1, keepdim=True)` in a
row kernel of `hl.tile(n, block_size=1)`: lowering then found a squeezed tile it had to keep
as a dimension of 1, which the shape analysis had not planned (an InternalTranspilerError).
The analysis now keeps the tile's dimension for such a reduction; each spelling is torch's."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler as helion
import transpiler.language as hl


@helion.kernel()
def shifted_by_row_max(logits: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    out = torch.empty_like(logits, dtype=torch.float32)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        out[tile_n, :] = row - row.amax(keepdim=True)
    return out


@helion.kernel()
def centred_blocks(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty_like(x)
    for tb in hl.tile(b, block_size=1):
        block = x[tb, :, :]
        out[tb, :, :] = block - torch.mean(block, keepdim=True)
    return out


@helion.kernel(config=helion.Config(block_sizes=[16]))
def scaled_by_tile_sum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n], block_size=[1, None]):
        part = x[tm, tn]
        out[tm, tn] = part / part.abs().sum(keepdim=True)
    return out


@helion.kernel()
def row_shares(x: torch.Tensor) -> torch.Tensor:
    n, v = x.shape
    out = torch.empty_like(x)
    for tile_n in hl.tile(n, block_size=1):
        row = x[tile_n, :]
        out[tile_n, :] = row / row.sum(dim=None, keepdim=True)  # dim=None written out
    return out


def test_sum_with_dim_none_written_out():
    x = torch.rand(6, 29) + 0.5
    expected = x.double() / x.double().sum(-1, keepdim=True)
    torch.testing.assert_close(on_device(row_shares)(x).double(), expected, rtol=1e-5, atol=1e-6)


def test_amax_of_a_whole_row_with_keepdim():
    x = torch.randn(7, 45, dtype=torch.float16)
    expected = x.double() - x.double().amax(-1, keepdim=True)
    torch.testing.assert_close(
        on_device(shifted_by_row_max)(x).double(), expected, rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_mean_of_a_whole_block_with_keepdim(dtype):
    x = torch.randn(5, 9, 13, dtype=dtype) + 0.3
    expected = x.double() - x.double().mean((1, 2), keepdim=True)
    torch.testing.assert_close(
        on_device(centred_blocks)(x).double(), expected, rtol=1e-5, atol=1e-5
    )


def test_sum_of_a_two_dimensional_tile_with_keepdim():
    x = torch.randn(6, 37) + 2.0
    out = on_device(scaled_by_tile_sum)(x).double()
    parts = x.double().split(16, dim=1)  # each tile of one row and 16 columns, summed alone
    expected = torch.cat([p / p.abs().sum(1, keepdim=True) for p in parts], dim=1)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)
