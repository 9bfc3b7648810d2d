"""User-style probes of products of int16 / int32 / int64 tensors without an integer
accumulator (`F.linear` of int64, `x @ y` of int32, `hl.dot` of int16): Triton's tl.dot takes
floats and int8 only, so they failed inside Triton (AssertionError: Unsupported lhs dtype);
the launcher now names the tensor, the line and the fix; the same kernels compute on floats."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import assert_matches, generated

SOURCE = """
import helion
import helion.language as hl
import torch
import torch.nn.functional as F


@helion.kernel()
def linear(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = F.linear(x[tile_m, :], w[tile_n, :])
    return out


@helion.kernel()
def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty([a.size(0), b.size(1)], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile(out.size()):
        total = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(a.size(1)):
            total += a[tile_m, tile_k] @ b[tile_k, tile_n]
        out[tile_m, tile_n] = total
    return out


@helion.kernel()
def batched(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batches, m, k = a.size()
    out = torch.empty([batches, m, b.size(2)], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile(out.size()):
        out[tile_b, tile_m, tile_n] = hl.dot(a[tile_b, tile_m, :], b[tile_b, :, tile_n])
    return out
"""

CASES = {
    "linear": (lambda: (torch.randint(-9, 9, (19, 24)), torch.randint(-9, 9, (17, 24))), F.linear, "w"),
    "matmul": (lambda: (torch.randint(-9, 9, (18, 40)), torch.randint(-9, 9, (40, 21))), torch.matmul, "a"),
    "batched": (lambda: (torch.randint(-9, 9, (2, 16, 32)), torch.randint(-9, 9, (2, 32, 16))), torch.bmm, "a"),
}  # fmt: skip


@pytest.mark.parametrize("dtype", [torch.int16, torch.int32, torch.int64], ids=str)
@pytest.mark.parametrize("name", CASES)
def test_a_wide_integer_factor_is_named_at_the_launch(name, dtype):
    make, _, first = CASES[name]
    a, b = (t.to(dtype) for t in make())
    kernel = generated(SOURCE, name, a, b, filename="wide_products.py")
    with pytest.raises(
        TypeError, match=rf"^line \d+: {first} is torch\.{str(dtype)[6:]}: .*\.float\(\)"
    ):
        kernel(a, b)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("name", CASES)
def test_the_same_products_of_floats_compute(name, dtype):
    make, truth, _ = CASES[name]
    a, b = (t.to(dtype) for t in make())
    result = generated(SOURCE, name, a, b, filename="wide_products.py")(a, b)
    assert_matches(result, truth(a.double(), b.double()), dtype=dtype, dots=True)
