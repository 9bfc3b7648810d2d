"""Block-size arithmetic stays a tl.constexpr: `block_k * 2` as a slice length is
no Python int that python_ints.py widens to int64 (the widened `tl.cast(block_k, tl.int64) * 2`
was refused as "a slice length that is neither a constant nor made of block sizes", which
refused Helion's int4_gemm example). Interpreter against float64 torch, and sm_90."""

from __future__ import annotations

import torch
from helpers import on_device

import transpiler as helion
import transpiler.language as hl


@helion.kernel(config=helion.Config(block_sizes=[4, 8]))
def pair_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    half = hl.register_block_size(n // 2)
    out = torch.empty([m, n // 2], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        for tile_h in hl.tile(n // 2, block_size=half):
            start = tile_h.begin * 2
            length = half * 2
            wide = x[tile_m, start : start + length]
            out[tile_m, tile_h] = wide.reshape(tile_m.block_size, tile_h.block_size, 2).sum(-1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[2, 4]))
def pair_square_maxima(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    half = hl.register_block_size(n // 2)
    out = torch.empty([m, n // 2], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        for tile_h in hl.tile(n // 2, block_size=half):
            wide = x[tile_m, tile_h.begin * 2 : tile_h.begin * 2 + half * 2]
            pairs = wide.reshape(tile_m.block_size, tile_h.block_size, 2)
            out[tile_m, tile_h] = (pairs * pairs).amax(-1)
    return out


def _randn(*shape):
    return torch.randn(*shape) + 0.25


def test_a_slice_as_long_as_a_block_size_times_two():
    x = _randn(5, 16)
    expected = x.double().reshape(5, 8, 2).sum(-1)
    torch.testing.assert_close(on_device(pair_sums)(x).double(), expected, rtol=1e-5, atol=1e-5)
    code = pair_sums.bind((x,)).triton_source
    assert "length = BLOCK_HALF * 2" in code
    assert pair_sums.bind((x,)).compile_for("sm_90")


def test_an_inline_slice_of_a_block_size_times_two():
    x = _randn(3, 24)
    pairs = x.double().reshape(3, 12, 2)
    expected = (pairs * pairs).amax(-1)
    result = on_device(pair_square_maxima)(x)
    torch.testing.assert_close(result.double(), expected, rtol=1e-5, atol=1e-5)
    assert pair_square_maxima.bind((x,)).compile_for("sm_90")
