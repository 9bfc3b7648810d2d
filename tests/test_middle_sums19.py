"""A sum over the middle axis of a 3-D block is `sum_middle`, not `tl.sum(..., axis=1)`.

Triton 3.6's combine pass turns `tl.sum(a[:, :, None] * b[None, :, :], axis=1)` (with its mask
folded away: whole tiles) into a `tt.dot` with inputPrecision = tf32: a user's written-out
float32 sum of products was computed in TF32 on the GPU (torch: float32), whatever the kernel's
`dot_precision=`, and with K under 16 wrong (tests/test_small_products17.py). sum_middle sums
the permute's last axis, which the pass does not match."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, kernel_text

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 32]), dot_precision="ieee")
def inline_products(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        acc = hl.zeros([tm, tn], dtype=torch.float32)
        for tk in hl.tile(kk):
            acc = acc + (x[tm, tk][:, :, None] * y[tk, tn][None, :, :]).sum(1)
        out[tm, tn] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 16]))
def named_products_kept(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty(m, n, dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        prod = x[tm, :].unsqueeze(2) * y[:, tn].unsqueeze(0)
        total = torch.sum(prod, dim=1, keepdim=True)
        out[tm, tn] = total.squeeze(1) * 0.5
    return out


@helion.kernel(config=helion.Config(block_sizes=[16]))
def matrix_times_column(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    column = w.view(kk, 1)
    out = torch.empty(m, 1, dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :] @ column[:, :]
    return out


@helion.kernel(config=helion.Config(block_sizes=[2, 16]))
def middle_means(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty(b, n, dtype=torch.float32, device=x.device)
    for tb, tn in hl.tile([b, n]):
        out[tb, tn] = x[tb, :, tn].mean(dim=1)
    return out
"""


def test_a_written_out_product_sum_stays_float32_on_the_gpu():
    x, y = torch.randn(48, 64), torch.randn(64, 32)  # whole tiles: the masks fold away
    out = generated(SOURCE, "inline_products", x, y)(x, y)
    torch.testing.assert_close(out.double(), x.double() @ y.double(), rtol=1e-5, atol=1e-5)
    text = kernel_text(SOURCE, "inline_products", x, y)
    assert "sum_middle(" in text and "axis=1" not in text, text


def test_a_named_product_summed_with_keepdim():
    x, y = torch.randn(37, 29), torch.randn(29, 21)
    out = generated(SOURCE, "named_products_kept", x, y)(x, y)
    torch.testing.assert_close(out.double(), 0.5 * (x.double() @ y.double()), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32, torch.float64])
def test_a_mean_over_the_middle_axis(dtype):
    x = torch.randn(5, 23, 37, dtype=dtype)
    out = generated(SOURCE, "middle_means", x)(x)
    torch.testing.assert_close(out.double(), x.double().mean(1), rtol=1e-3, atol=1e-3)


def test_a_matrix_times_a_column_is_a_float32_sum():
    """N of 1: lowering's narrow product, a broadcast multiply summed by sum_middle."""
    x, w = torch.randn(37, 64), torch.randn(64)
    out = generated(SOURCE, "matrix_times_column", x, w)(x, w)
    torch.testing.assert_close(out.double(), x.double() @ w.double()[:, None], rtol=1e-5, atol=1e-5)


def test_no_kernel_here_holds_a_product_triton_made():
    """The sm_90 TTIR of each kernel: no tt.dot (lowering writes none for these sums)."""
    x, y, z = torch.randn(48, 64), torch.randn(64, 32), torch.randn(4, 16, 32)
    for name, args in (
        ("inline_products", (x, y)),
        ("named_products_kept", (x, y)),
        ("middle_means", (z,)),
        ("matrix_times_column", (x, torch.randn(64))),
    ):
        kernels = transpiler.kernels_from_source(SOURCE, filename="kernels.py", namespace={})
        for result in kernels[name].bind(args).compile_for("sm_90"):
            assert "tt.dot" not in result.asm["ttir"], name
