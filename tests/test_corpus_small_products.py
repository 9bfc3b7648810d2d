"""Matrix products with a small whole M or N, and with K of 1 (found running Helion's test_dot as
a corpus). A whole M or N (`x2[:, tile_k]` of `x.view(2, k)`) keeps its own lanes: it was
raised to 16 for tl.dot, so `hl.zeros([2, tile_n])` as the accumulator met a [16, BLOCK_N]
product ("accumulator shape is incompatible" in the interpreter). A K of 1 (`x.view(m, 1)` times
`y.view(1, n)`) is an outer product: it was refused ("the inner dimensions differ: a size-1
dimension against a size-1 dimension")."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device, product_tolerance

import transpiler
import transpiler.language as hl


@transpiler.kernel(config=transpiler.Config(block_sizes=[16, 16]))
def two_rows_times(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    k = x.size(0) // 2
    rows = x.view(2, k)
    _, n = y.size()
    out = torch.zeros(2, n, dtype=torch.float32, device=x.device)
    for tile_n in hl.tile(n):
        acc = hl.zeros([2, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(rows[:, tile_k], y[tile_k, tile_n], acc=acc)
        out[:, tile_n] = acc
    return out.view(2 * n)


@transpiler.kernel(config=transpiler.Config(block_sizes=[16, 16]))
def times_four_columns(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    cols = y.view(k, 4)
    out = torch.empty(m, 4, dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, 4], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + torch.matmul(x[tile_m, tile_k], cols[tile_k, :])
        out[tile_m, :] = acc
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[16, 16]))
def outer_sum(x: torch.Tensor, y: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    column = x.view(m, 1)
    n = y.size(0)
    row = y.view(1, n)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = bias[tile_m, tile_n].to(torch.float32)
        acc = hl.dot(column[tile_m, :], row[:, tile_n], acc=acc)
        out[tile_m, tile_n] = acc
    return out


@transpiler.kernel(config=transpiler.Config(block_sizes=[16, 16]))
def outer_by_operator(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size(0), y.size(0)
    column, row = x.view(m, 1), y.view(1, n)
    out = torch.empty(m, n, dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = column[tile_m, :] @ row[:, tile_n]
    return out


@transpiler.kernel()
def batched_outer(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, m = a.size()
    n = b.size(1)
    columns, rows = a.view(batch, m, 1), b.view(batch, 1, n)
    out = torch.empty(batch, m, n, dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        out[tile_b, tile_m, tile_n] = torch.bmm(columns[tile_b, tile_m, :], rows[tile_b, :, tile_n])
    return out


def _compiles(kernel, args) -> None:
    for result in kernel.bind(args).compile_for("sm_90"):
        assert result.registers > 0


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32])
def test_a_whole_m_of_two_into_a_two_row_accumulator(dtype):
    x, y = torch.randn(2 * 40, dtype=dtype), torch.randn(40, 70, dtype=dtype)
    expected = (x.view(2, 40).double() @ y.double()).view(-1)
    bound = product_tolerance(dtype, rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(on_device(two_rows_times)(x, y).double(), expected, **bound)
    _compiles(two_rows_times, (x, y))


def test_a_whole_n_of_four_through_matmul():
    x, y = torch.randn(29, 36, dtype=torch.float16), torch.randn(36 * 4, dtype=torch.float16)
    expected = x.double() @ y.view(36, 4).double()
    result = on_device(times_four_columns)(x, y)
    torch.testing.assert_close(result.double(), expected, rtol=1e-3, atol=1e-3)
    _compiles(times_four_columns, (x, y))


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_k_of_one_into_an_accumulator(dtype):
    x, y, bias = torch.randn(37, dtype=dtype), torch.randn(21, dtype=dtype), torch.randn(37, 21)
    expected = x.double()[:, None] * y.double()[None, :] + bias.double()
    bound = product_tolerance(dtype, rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(on_device(outer_sum)(x, y, bias).double(), expected, **bound)
    _compiles(outer_sum, (x, y, bias))


def test_k_of_one_by_the_operator():
    x, y = torch.randn(19, dtype=torch.float16), torch.randn(45, dtype=torch.float16)
    result = on_device(outer_by_operator)(x, y)
    assert result.dtype == torch.float16
    expected = (x.double()[:, None] * y.double()[None, :]).half()
    torch.testing.assert_close(result, expected)
    _compiles(outer_by_operator, (x, y))


def test_a_batched_product_with_k_of_one():
    a, b = torch.randn(3, 5), torch.randn(3, 6)
    expected = a.double()[:, :, None] * b.double()[:, None, :]
    bound = product_tolerance(torch.float32, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(on_device(batched_outer)(a, b).double(), expected, **bound)
    _compiles(batched_outer, (a, b))
