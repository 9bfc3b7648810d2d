"""`hl.dot(..., acc=acc, out_dtype=torch.float16)` into a float16 accumulator (`hl.zeros(...,
dtype=torch.float16)`, held in float32 as every half value is): each step's sum rounded to
float16. It compiled in the interpreter but not for sm_90 (tl.dot given a float32 acc and a
float16 out_dtype; Triton 3.6 also mistypes out_dtype=float16 with float32 factors)."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))
def half_acc_product(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float16)
        for tile_k in hl.tile(k):
            acc = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc, out_dtype=torch.float16)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 32, 16]))
def half_acc_scaled(x: torch.Tensor, y: torch.Tensor, scale: float) -> torch.Tensor:
    m, k = x.shape
    n = y.shape[1]
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        total = hl.zeros([tile_m, tile_n], dtype=torch.float16)
        for tile_k in hl.tile(k):
            a = x[tile_m, tile_k]
            total = hl.dot(a, y[tile_k, tile_n], acc=total, out_dtype=torch.float16)
        out[tile_m, tile_n] = total.to(torch.float32) * scale
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))
def half_sum_of_products(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float16)
        for tile_k in hl.tile(k):
            acc = acc + hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], out_dtype=torch.float16)
        out[tile_m, tile_n] = acc
    return out
"""

CASES = [
    ("half_acc_product", (37, 45, 19), torch.float32, ()),
    ("half_acc_product", (32, 48, 16), torch.float16, ()),
    ("half_acc_scaled", (21, 50, 33), torch.float16, (0.5,)),
    ("half_acc_scaled", (16, 33, 40), torch.float32, (1.5,)),
    ("half_sum_of_products", (19, 35, 23), torch.float16, ()),
]


@pytest.mark.parametrize(("name", "sizes", "dtype", "extra"), CASES, ids=lambda c: str(c))
def test_a_float16_accumulator_with_out_dtype(name, sizes, dtype, extra):
    m, k, n = sizes
    x, y = torch.randn(m, k, dtype=dtype) / 4, torch.randn(k, n, dtype=dtype) / 4
    got = generated(SOURCE, name, x, y, *extra, filename="dot_out_dtype.py")(x, y, *extra)
    want = x.double() @ y.double() * (extra[0] if extra else 1.0)
    assert got.dtype == (torch.float32 if name == "half_acc_scaled" else torch.float16)
    torch.testing.assert_close(got.double(), want, atol=2e-2, rtol=2e-2)
