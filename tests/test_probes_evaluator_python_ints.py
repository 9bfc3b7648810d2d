"""An outside evaluator's probes of values made of Python ints and bools alone: torch holds
`torch.where(c, 7, -7)`, `(x > 0) * 70000` and `torch.where(x > 0, k, 0)` (k an int argument)
in int64, and `k * k` or `n * 100000000` of arguments and sizes are Python's exact ints.
Triton held them in int32 (a literal past it in uint32, a bool in int1): products wrapped past
2**31 (4.9e9 became 605032704), `torch.where(c, 2**31, 0) - 1` was unsigned (4294967295 for
-1), and `torch.where(c, 3000000000, -1)` failed inside Triton's interpreter. One operand is
made int64 first (lower/python_ints.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import device_args, generated

import transpiler

SOURCE = """
import torch
import transpiler as helion
import transpiler.language as hl


@helion.kernel()
def chosen_products(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = torch.where(x[t] > 0, 70000, -3) * 70000
    return out


@helion.kernel()
def unsigned_looking(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = torch.where(x[t] > 0, 2147483648, 0) - 1 + torch.where(x[t] < 0, 3000000000, -1)
    return out


@helion.kernel()
def flags_scaled(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.int64, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        positive = x[tile_m, tile_n] > 0
        out[tile_m, tile_n] = positive * 70000 * 70000 + ((~positive) + 2147483647) // 2
    return out


@helion.kernel()
def chosen_argument(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = torch.where(x[t] > 0, k, 0) * k
    return out


@helion.kernel()
def squared_argument(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * (k * k) + x[t] // 1 * (k << 20)
    return out


@helion.kernel(config=helion.Config(block_sizes=[16]))
def sized_offsets(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty([n], dtype=torch.int64, device=x.device)
    for t in hl.tile(n):
        out[t] = x[t] + n * 100000000 + t.begin * 1000000000
    return out


@helion.kernel()
def small_choices(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.where(x[tile_m, :] > 0, 1, -1).sum(-1) * torch.where(x[tile_m, 0] > 0, 2, 3)
    return out
"""


def _begins(n: int, block: int) -> torch.Tensor:
    return torch.arange(n) // block * block


CASES = {
    "chosen_products": (
        lambda: (torch.randn(37),),
        lambda x: torch.where(x > 0, 70000, -3) * 70000,
    ),
    "unsigned_looking": (
        lambda: (torch.randn(37, dtype=torch.float16),),
        lambda x: torch.where(x > 0, 2147483648, 0) - 1 + torch.where(x < 0, 3000000000, -1),
    ),
    "flags_scaled": (
        lambda: (torch.randn(29, 13).t(),),
        lambda x: (x > 0) * 70000 * 70000 + ((~(x > 0)) + 2147483647) // 2,
    ),
    "chosen_argument": (
        lambda: (torch.randn(37)[::2], 100003),
        lambda x, k: torch.where(x > 0, k, 0) * k,
    ),
    "squared_argument": (
        lambda: (torch.randn(37, dtype=torch.float64), 100003),
        lambda x, k: x * (k * k) + x // 1 * (k << 20),
    ),
    "sized_offsets": (
        lambda: (torch.randint(-9, 9, (37,)),),
        lambda x: x + 37 * 100000000 + _begins(37, 16) * 1000000000,
    ),
    "small_choices": (  # int64 as before where nothing overflows
        lambda: (torch.randn(13, 29),),
        lambda x: torch.where(x > 0, 1, -1).sum(-1) * torch.where(x[:, 0] > 0, 2, 3),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_python_ints_compute_in_int64_as_torch(name):
    make, truth = CASES[name]
    args = make()
    expected = truth(*args)
    got = generated(SOURCE, name, *args)(*args)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    if expected.is_floating_point():
        torch.testing.assert_close(got, expected, rtol=1e-12, atol=0)
    else:
        assert torch.equal(got, expected), (got, expected)


@pytest.mark.parametrize("name", list(CASES))
def test_they_compile_for_sm_90(name):
    args = CASES[name][0]()
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    (compiled,) = kernel.bind(device_args(args)).compile_for("sm_90")
    assert "tt.func" in compiled.asm["ttir"]


def test_an_index_product_reads_as_before():
    code = transpiler.transpile_module(
        SOURCE.replace("(k << 20)", "k"),
        filename="kernels.py",
        example_args={"squared_argument": (torch.randn(8), 3)},
    ).code
    assert "x_tile * (int64_if_integer(k) * k)" in code
