"""Accumulators declared float32 (or int32) and rebound inside a loop to values of the inputs'
dtype: torch widens them to torch.promote_types of the two (float32 with float64 → float64,
with float16 → float32; int32 with floats → float), and so does the kernel, entering the loop
in that dtype. Three spellings: a running max, a sum of products, a Welford (mean, m2) pair;
float64 results checked at 1e-10 (float32 rounding would miss), conftest compiles each launch
for sm_90."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[8, 16]))
def running_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float64, device=x.device)
    for tile_m in hl.tile(m):
        best = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        for tile_n in hl.tile(n):
            best = torch.maximum(best, x[tile_m, tile_n].amax(dim=1))
        out[tile_m] = best
    return out


@helion.kernel(config=helion.Config(block_sizes=[8, 16]))
def sum_of_products(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float64, device=x.device)
    for tile_m in hl.tile(m):
        total = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            total = total + (x[tile_m, tile_n] * y[tile_m, tile_n]).sum(dim=1)
        out[tile_m] = total
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def halves_into_int(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float64, device=x.device)
    for tile_m in hl.tile(m):
        total = hl.zeros([tile_m], dtype=torch.int32)
        for j in hl.grid(n):
            total = total + x[tile_m, j] * 0.5
        out[tile_m] = total
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def welford(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float64, device=x.device)
    for tile_m in hl.tile(m):
        mean = hl.zeros([tile_m], dtype=torch.float32)
        m2 = hl.zeros([tile_m], dtype=torch.float32)
        count = hl.zeros([tile_m], dtype=torch.float32)
        for j in hl.grid(n):
            value = x[tile_m, j]
            count = count + 1
            delta = value - mean
            mean = mean + delta / count
            m2 = m2 + delta * (value - mean)
        out[tile_m] = m2 / count
    return out
"""


def signed(dtype: torch.dtype, *shape: int) -> torch.Tensor:
    """Fresh values in (-1, -0.05] ∪ [0.05, 1) in `dtype` (shifted by 3 for a variance)."""
    values = torch.rand(*shape, dtype=torch.float64) * 0.95 + 0.05
    return (values * torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0).double()).to(dtype)


def torch_loop(update, start: torch.Tensor, columns: list[torch.Tensor]) -> torch.Tensor:
    """torch's own loop over the columns (or column tiles), widening `start` as it goes."""
    acc = start
    for column in columns:
        acc = update(acc, column)
    return acc


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16], ids=str)
def test_a_float32_running_max_of_the_inputs_dtype(dtype):
    x = signed(dtype, 19, 45)
    ours = generated(SOURCE, "running_max", x)(x)
    start = torch.full([19], float("-inf"), dtype=torch.float32)
    tiles = [x[:, i : i + 16] for i in range(0, 45, 16)]
    exact = torch_loop(lambda acc, t: torch.maximum(acc, t.amax(1)), start, tiles)
    assert exact.dtype == torch.promote_types(torch.float32, dtype)
    assert torch.equal(ours, exact.double())  # a max rounds nothing: float32 would show


@pytest.mark.parametrize(
    ("x_dtype", "y_dtype"),
    [
        (torch.float64, torch.float64),
        (torch.float16, torch.float16),
        (torch.float16, torch.float64),
    ],
    ids=str,
)
def test_a_float32_sum_of_products(x_dtype, y_dtype):
    x, y = signed(x_dtype, 19, 45), signed(y_dtype, 19, 45)
    ours = generated(SOURCE, "sum_of_products", x, y)(x, y)
    wide = torch.promote_types(x_dtype, y_dtype)
    exact = (x.double() * y.double()).sum(1)
    if wide != torch.float64:  # halves: each product rounded to float16, as torch does
        exact = (x * y).double().sum(1)
    tolerance = 1e-10 if wide == torch.float64 else 2e-3
    torch.testing.assert_close(ours, exact, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16], ids=str)
def test_an_int32_accumulator_meeting_floats_becomes_float(dtype):
    """torch: int32 + float16 is float16, + float64 float64 (a Python float alone: float32);
    the kernel holds halves in float32, so float16 inputs are checked against float32 sums."""
    x = signed(dtype, 19, 45)
    ours = generated(SOURCE, "halves_into_int", x)(x)
    start = torch.zeros(19, dtype=torch.int32)
    exact = torch_loop(lambda acc, column: acc + column * 0.5, start, list(x.T))
    assert exact.dtype == dtype
    if dtype == torch.float16:  # the same loop in float32
        exact = torch_loop(lambda acc, column: acc + column.float() * 0.5, start, list(x.T))
    held = exact.double()
    torch.testing.assert_close(ours, held, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16], ids=str)
def test_a_float32_welford_pair(dtype):
    x = signed(dtype, 19, 37) + 3  # a mean far from 0: a float32 mean would lose digits
    ours = generated(SOURCE, "welford", x)(x)
    exact = x.double().var(1, unbiased=False)
    tolerance = 1e-10 if dtype == torch.float64 else 1e-5
    torch.testing.assert_close(ours, exact, rtol=tolerance, atol=tolerance)
