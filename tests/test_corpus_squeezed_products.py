"""A tile of block size 1 (the config's `block_sizes=[1, ...]`) has no Triton dimension, unless
the shape analysis sees it meet what needs one. A matrix product needs M and N: when a factor
passes through what the analysis does not follow (`torch.stack` inside the tile's block, a
reshape of it, a slice from `tile.begin`), every tile keeps its dimension. It once did not:
lowering stopped with "the plan lacks a squeezed tile as a matrix dimension" (found running
Helion's test_constexpr as a corpus, an int4 matmul with block_sizes=[1, 1, 16])."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler
import transpiler.language as hl


@transpiler.kernel(config=transpiler.Config(block_sizes=[8, 1, 16]), static_shapes=True)
def nibbles_times(a: torch.Tensor, packed: torch.Tensor) -> torch.Tensor:
    """a @ w where w's rows come in pairs, two signed nibbles per byte of `packed` (the
    registered block comes first in the config: pairs of 8, so K is 16 as sm_90 wants)."""
    rows, depth = a.shape
    _, cols = packed.shape
    out = torch.empty(rows, cols, dtype=torch.float32, device=a.device)
    pair_block = hl.register_block_size(depth // 2)
    for tile_r, tile_c in hl.tile([rows, cols]):
        acc = hl.zeros([tile_r, tile_c], dtype=torch.float32)
        for tile_p in hl.tile(depth // 2, block_size=pair_block):
            byte = packed[tile_p, tile_c]
            low = ((byte << 4) >> 4).to(torch.float16)
            high = (byte >> 4).to(torch.float16)
            both = torch.stack([low, high], dim=1)
            weights = both.reshape(tile_p.block_size * 2, tile_c.block_size)
            start = tile_p.begin * 2
            a_block = a[tile_r, start : start + tile_p.block_size * 2]
            acc = acc + hl.dot(a_block, weights)
        out[tile_r, tile_c] = acc
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[1, 1, 16]))
def interleaved_matmul(x: torch.Tensor, even: torch.Tensor, odd: torch.Tensor) -> torch.Tensor:
    """x @ w with w's rows interleaved from two matrices, through torch.matmul."""
    m, k = x.size()
    half, n = even.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_h in hl.tile(half):
            w = torch.stack([even[tile_h, tile_n], odd[tile_h, tile_n]], dim=1)
            w = w.reshape(tile_h.block_size * 2, tile_n.block_size)
            x_block = x[tile_m, tile_h.begin * 2 : tile_h.begin * 2 + tile_h.block_size * 2]
            acc = acc + torch.matmul(x_block, w)
        out[tile_m, tile_n] = acc
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[1, 16]))
def stacked_pairs_sum(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """A stack inside a block of one row (no product): out[i, j] = (x + 2y)[i, j]."""
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        pair = torch.stack([x[tile_m, tile_n], y[tile_m, tile_n] * 2], dim=1)
        out[tile_m, tile_n] = pair.sum(dim=1)
    return out


def _pack(nibbles: torch.Tensor) -> torch.Tensor:
    pairs = nibbles.reshape(nibbles.size(0) // 2, 2, nibbles.size(1))
    return ((pairs[:, 0] & 0xF) | (pairs[:, 1] << 4)).to(torch.int8)


def test_nibble_unpacking_into_a_product_of_one_row_tiles():
    a = torch.randn(5, 24, dtype=torch.float16)
    nibbles = torch.randint(-8, 8, (24, 7), dtype=torch.int8)
    result = on_device(nibbles_times)(a, _pack(nibbles))
    expected = a.double() @ nibbles.double()
    torch.testing.assert_close(result.double(), expected, rtol=1e-4, atol=1e-4)
    (compiled,) = nibbles_times.bind((a, _pack(nibbles))).compile_for("sm_90")
    assert compiled.registers > 0


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32])
def test_interleaved_rows_through_matmul(dtype):
    x = torch.randn(3, 34, dtype=dtype)
    even, odd = torch.randn(17, 9, dtype=dtype), torch.randn(17, 9, dtype=dtype)
    w = torch.stack([even, odd], dim=1).reshape(34, 9)
    result = on_device(interleaved_matmul)(x, even, odd)
    torch.testing.assert_close(result.double(), x.double() @ w.double(), rtol=2e-2, atol=2e-2)
    (compiled,) = interleaved_matmul.bind((x, even, odd)).compile_for("sm_90")
    assert compiled.registers > 0


def test_a_stack_inside_a_one_row_block():
    x, y = torch.randn(7, 19), torch.randn(7, 19)
    result = on_device(stacked_pairs_sum)(x, y)
    torch.testing.assert_close(result.double(), x.double() + 2 * y.double())
    (compiled,) = stacked_pairs_sum.bind((x, y)).compile_for("sm_90")
    assert compiled.registers > 0


def test_a_gpu_compile_error_says_why():
    """Pairs of one make K 2: the interpreter multiplies, sm_90's tl.dot wants K >= 16 (open:
    a K block derived from a registered block size is not raised to 16 as a config's K block
    is). The GPUCompileError carries Triton's reason, not only its excerpt."""
    from transpiler.analysis.targets import GPUCompileError

    a = torch.randn(3, 8, dtype=torch.float16)
    packed = _pack(torch.randint(-8, 8, (8, 16), dtype=torch.int8))
    bound = nibbles_times.bind((a, packed), {"block_sizes": [1, 1, 16]})
    with pytest.raises(GPUCompileError, match="K >= 16"):
        bound.compile_for("sm_90")
