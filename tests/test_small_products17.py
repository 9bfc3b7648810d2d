"""Products with a K of one, and the compile check that refuses a product Triton builds itself.

An H100 computed `hl.dot(column[tile_m, :], row[:, tile_n], acc=acc)` (K of 1) wrong in float16
and float32 (2026-12-06; right in the interpreter): lowering wrote the outer product as
`tl.sum(a[:, :, None] * b[None, :, :], axis=1)` and Triton's combine pass made that a tt.dot of
K 1. Now `[M, 1] * [1, N]`, no sum; and a compile whose TTIR holds a tt.dot of K under 16 is a
GPUCompileError at the user's line (transpiler/analysis/targets/small_products.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from helpers import on_device, product_tolerance

import transpiler as helion
import transpiler.language as hl
from transpiler.analysis.targets import GPUCompileError
from transpiler.analysis.targets.small_products import small_products


@helion.kernel(config=helion.Config(block_sizes=[16, 32]))
def outer_by_hl_dot(x: torch.Tensor, y: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size(0), y.size(0)
    column, row = x.view(m, 1), y.view(1, n)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        acc = bias[tm, tn].to(torch.float32)
        acc = hl.dot(column[tm, :], row[:, tn], acc=acc)
        out[tm, tn] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[32, 16]))
def outer_by_operator(x: torch.Tensor, y: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size(0), y.size(0)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        acc = bias[tm, tn].float()
        acc = acc + x[tm].unsqueeze(1).float() @ y[tn].unsqueeze(0).float()
        out[tm, tn] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 16]))
def outer_by_addmm(x: torch.Tensor, y: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, n = x.size(0), y.size(0)
    column, row = x.reshape(m, 1), y.reshape(1, n)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = torch.addmm(bias[tm, tn].float(), column[tm, :].float(), row[:, tn].float())
    return out


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
@pytest.mark.parametrize("k", [outer_by_hl_dot, outer_by_operator, outer_by_addmm])
def test_an_outer_product_into_an_accumulator_is_torchs(k, dtype):
    x, y = torch.randn(37, dtype=dtype) + 0.5, torch.randn(45, dtype=dtype) - 0.25
    bias = torch.randn(37, 45)
    expected = x.double()[:, None] * y.double()[None, :] + bias.double()
    bound = product_tolerance(dtype, rtol=1e-5, atol=1e-5)
    if dtype == torch.float16:  # factors rounded to float16: the product of two
        bound = {"rtol": 2e-3, "atol": 2e-3}
    torch.testing.assert_close(on_device(k)(x, y, bias).double(), expected, **bound)
    for result in k.bind((x, y, bias)).compile_for("sm_90"):  # no product of K under 16
        assert small_products(result.asm["ttir"]) == []


TTIR = """
#loc = loc("/tmp/m.py":9:0)
#loc7 = loc("/tmp/m.py":31:20)
#loc8 = loc("/tmp/m.py":44:8)
#loc9 = loc(callsite(#loc7 at #loc8))
#loc10 = loc("acc"(#loc9))
  %p = tt.dot %a, %b, %c, inputPrecision = tf32 : tensor<16x4xf32> * tensor<4x32xf32> -> tensor<16x32xf32> loc(#loc10)
  %q = tt.dot %d, %e, %f : tensor<64x16xf16> * tensor<16x64xf16> -> tensor<64x64xf32> loc(#loc7)
"""


def test_small_products_finds_a_product_of_a_small_k_at_its_calling_line():
    assert small_products(TTIR) == [(16, 4, 32, 44)]  # K 16 is tl.dot's own, not found


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 4]))
def products_summed(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        acc = hl.zeros([tm, tn], dtype=torch.float32)
        for tk in hl.tile(kk):
            acc = acc + (x[tm, tk][:, :, None] * y[tk, tn][None, :, :]).sum(1)  # K of 4
        out[tm, tn] = acc
    return out


def test_a_written_out_sum_of_products_is_no_product_of_triton():
    """Written out by a user with a K block of 4: Triton made it a matrix product of K 4
    (refused here until sum_middle, 2026-12-06); now a sum, as torch computes it."""
    x, y = torch.randn(33, 12), torch.randn(12, 40)
    torch.testing.assert_close(
        on_device(products_summed)(x, y).double(), x.double() @ y.double(), rtol=1e-5, atol=1e-5
    )
    for result in products_summed.bind((x, y)).compile_for("sm_90"):
        assert "tt.dot" not in result.asm["ttir"]


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 4]))
def products_by_inline_triton(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        acc = hl.zeros([tm, tn], dtype=torch.float32)
        for tk in hl.tile(kk):
            acc = acc + hl.triton_kernel(  # the user's Triton, K of 4
                "def summed(a, b):\n    return tl.sum(a[:, :, None] * b[None, :, :], axis=1)",
                args=(x[tm, tk], y[tk, tn]),
                output_like=acc,
            )
        out[tm, tn] = acc
    return out


def test_a_small_product_triton_makes_of_the_users_triton_is_refused_at_the_users_line():
    """The user's own Triton (hl.triton_kernel) summing products over a K block of 4: Triton
    would compute it as a matrix product of K 4, which GPUs compute wrong."""
    x, y = torch.randn(33, 12), torch.randn(12, 40)
    with pytest.raises(GPUCompileError) as caught:
        products_by_inline_triton.bind((x, y)).compile_for("sm_90")
    lines = Path(__file__).read_text().splitlines()
    line = next(
        i for i, text in enumerate(lines, 1) if text.endswith("# the user's Triton, K of 4")
    )
    message = str(caught.value)
    assert "K 4" in message and "would be computed wrong" in message, message
    assert "cannot compile" not in message and "a block of 16 or more" in message, message
    assert f":{line}:" in message, message
