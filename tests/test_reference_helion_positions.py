"""Reference mode reads subscripts as Helion does where torch would refuse them
(reference/positions.py): a size-1 dimension is read at 0 whatever its index (Helion's
flex_attention indexes a block mask made for one batch and one head with `b` and `h`: an
IndexError in reference mode), and adjacent 1-D index tensors of unequal lengths cross
(Helion's grouped_gemm_jagged_persistent loads `[rows, tile_k.index]`, 128 rows and 256
columns: "shape mismatch: indexing tensors could not be broadcast together"). Reference mode
against float64 torch, and the compiled kernel on the interpreter."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device, product_tolerance

import transpiler as helion
import transpiler.language as hl


@helion.kernel(config=helion.Config(block_sizes=[4]))
def scaled_by_begin(x: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty_like(x)
    for tile_b, tile_m in hl.tile([b, m], block_size=[1, None]):
        s = scales[tile_b.begin, tile_m.begin // 4]
        out[tile_b, tile_m, :] = x[tile_b, tile_m, :] * s
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def scaled_by_load(x: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty_like(x)
    for tile_b, tile_m in hl.tile([b, m], block_size=[1, None]):
        s = hl.load(scales, [tile_b.begin, 0])
        out[tile_b, tile_m, :] = x[tile_b, tile_m, :] * s
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def scaled_by_grid(x: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(b):
        for tile_m in hl.tile(m):
            out[i, tile_m, :] = x[i, tile_m, :] * scales[i, i]
    return out


SIZE_ONE = [scaled_by_begin, scaled_by_load, scaled_by_grid]


@pytest.mark.parametrize("kernel", SIZE_ONE, ids=lambda k: k.name)
def test_a_size_one_dimension_is_read_at_zero(kernel):
    x = torch.randn(3, 8, 5)
    scales = torch.randn(1, 1)
    expected = x.double() * scales.double()[0, 0]
    reference = kernel.reference(x, scales)
    torch.testing.assert_close(reference.double(), expected, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(
        on_device(kernel)(x, scales).double(), expected, rtol=1e-6, atol=1e-6
    )


@helion.kernel(config=helion.Config(block_sizes=[4, 8, 8]))
def rows_by_load(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.zeros([m, n], dtype=torch.float32, device=a.device)
    block_m = hl.register_block_size(4, 4)
    for g in hl.grid(m // 4):
        rows = g * block_m + hl.arange(block_m)
        for tile_n in hl.tile(n):
            acc = hl.zeros([block_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(k):
                a_blk = hl.load(a, [rows, tile_k.index])
                b_blk = hl.load(b, [tile_k.index, tile_n.index])
                acc = torch.addmm(acc, a_blk, b_blk)
            hl.store(out, [rows, tile_n.index], acc)
    return out


@helion.kernel(config=helion.Config(block_sizes=[4, 8, 8]))
def rows_by_masked_load(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.zeros([m, n], dtype=torch.float32, device=a.device)
    block_m = hl.register_block_size(4, 4)
    for g in hl.grid((m + 3) // 4):
        rows = g * block_m + hl.arange(block_m)
        valid = rows < m
        for tile_n in hl.tile(n):
            acc = hl.zeros([block_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(k):
                a_blk = hl.load(a, [rows, tile_k.index], extra_mask=valid[:, None])
                acc = torch.addmm(acc, a_blk, b[tile_k, tile_n])
            hl.store(out, [rows, tile_n.index], acc, extra_mask=valid[:, None])
    return out


@helion.kernel(config=helion.Config(block_sizes=[4, 8, 8]))
def rows_by_subscript(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.zeros([m, n], dtype=torch.float32, device=a.device)
    block_m = hl.register_block_size(4, 4)
    for g in hl.grid(m // 4):
        rows = g * block_m + hl.arange(block_m)
        for tile_n in hl.tile(n):
            acc = hl.zeros([block_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(k):
                acc = torch.addmm(acc, a[rows, tile_k.index], b[tile_k, tile_n])
            out[rows, tile_n.index] = acc
    return out


CROSSED = [rows_by_load, rows_by_masked_load, rows_by_subscript]


@pytest.mark.parametrize("kernel", CROSSED, ids=lambda k: k.name)
def test_index_tensors_of_unequal_lengths_cross(kernel):
    m = 10 if kernel is rows_by_masked_load else 8
    a = torch.randn(m, 16)  # 4 rows a block, K of 16 whole in reference mode: 4 against 16
    b = torch.randn(16, 6)
    expected = a.double() @ b.double()
    reference = kernel.reference(a, b)
    torch.testing.assert_close(reference.double(), expected, rtol=1e-5, atol=1e-5)
    bound = product_tolerance(torch.float32, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(on_device(kernel)(a, b).double(), expected, **bound)


def test_torch_readings_stay_where_torch_reads():
    from transpiler.reference.positions import helion_position

    x = torch.arange(12.0).reshape(3, 4)
    rows, cols = torch.tensor([0, 2]), torch.tensor([1, 3])
    assert helion_position(x, (rows, cols)) == (rows, cols)  # equal lengths: paired
    assert helion_position(x, (1, slice(0, 2))) == (1, slice(0, 2))
    unit = torch.zeros(1, 4)
    assert helion_position(unit, (5, 2)) == (0, 2)
    assert helion_position(unit, (Ellipsis, 2)) == (Ellipsis, 2)
