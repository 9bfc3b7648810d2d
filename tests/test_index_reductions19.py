"""Reductions whose result is not of their input's dtype (argmax / argmin / count_nonzero:
int64; any / all: bool) as loop updates: the accumulator enters the loop in torch's dtype.

Before, the loop-entry widening took `x[t].argmax(dim=1)` for a value of x's dtype: a float32
accumulator meeting the indices of a float64 x entered its loop as float64 (torch: float32),
and an int32 one meeting them stayed int32 (torch: int64)."""

from __future__ import annotations

import torch
from helpers import generated, kernel_text

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def summed_argmax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            acc = acc + x[tile_m, tile_n].argmax(dim=1)
        out[tile_m] = acc
    return out


@helion.kernel()
def summed_argmin_int(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.int32)
        for tile_n in hl.tile(n):
            acc = acc + torch.argmin(x[tile_m, tile_n], dim=1) * 3
        out[tile_m] = acc
    return out


@helion.kernel()
def counted_positives(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float16, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float16)
        for tile_n in hl.tile(n):
            block = x[tile_m, tile_n]
            acc = acc + torch.count_nonzero(block > 0, dim=1) + (block > 1).any(dim=1)
        out[tile_m] = acc
    return out
"""

BLOCK = 16  # the inner tiles the reference splits the row into (the kernels' default block)


def _chunks(x, block):
    return [x[:, i : i + block] for i in range(0, x.size(1), block)]


def test_a_float32_accumulator_of_indices_stays_float32():
    x = torch.randn(13, 70, dtype=torch.float64)
    text = kernel_text(SOURCE, "summed_argmax", x)
    assert "promoted" not in text, text  # float32 + int64 indices: float32, as torch
    config = {"block_sizes": [16, BLOCK]}
    result = generated(
        SOURCE.replace("@helion.kernel()", f"@helion.kernel(config={config})"), "summed_argmax", x
    )(x)
    expected = sum(c.argmax(dim=1).double() for c in _chunks(x, BLOCK))
    assert result.dtype == torch.float32
    torch.testing.assert_close(result.double(), expected)


def test_an_int32_accumulator_of_indices_is_widened_to_int64():
    x = torch.randn(9, 53)
    text = kernel_text(SOURCE, "summed_argmin_int", x)
    assert "promoted(" in text and "tl.int64" in text, text  # int32 + int64: int64, as torch
    config = {"block_sizes": [16, BLOCK]}
    result = generated(
        SOURCE.replace("@helion.kernel()", f"@helion.kernel(config={config})"),
        "summed_argmin_int",
        x,
    )(x)
    expected = sum(c.argmin(dim=1) * 3 for c in _chunks(x, BLOCK))
    torch.testing.assert_close(result, expected)


def test_counts_and_flags_widen_no_float16_accumulator():
    x = torch.randn(11, 45) * 2
    text = kernel_text(SOURCE, "counted_positives", x)
    assert "promoted" not in text, text  # float16 + int64 / bool: float16, as torch
    config = {"block_sizes": [16, BLOCK]}
    result = generated(
        SOURCE.replace("@helion.kernel()", f"@helion.kernel(config={config})"),
        "counted_positives",
        x,
    )(x)
    expected = sum(
        torch.count_nonzero(c > 0, dim=1).double() + (c > 1).any(dim=1).double()
        for c in _chunks(x, BLOCK)
    )
    torch.testing.assert_close(result.double(), expected)
