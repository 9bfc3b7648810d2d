"""Tiles of block size 1 (Helion's `block_size=[1, None]`): no Triton dimension, 2-D dots."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, kernel_source, kernel_text, one_line, reference

# float32 dots: exact in the interpreter, TF32 on GPUs (Triton's default, as Helion's)
FP32_DOT = 1e-4 if not torch.cuda.is_available() else 2e-3

ROWS = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def shifted_rows(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    batch, m, n = x.size()
    out = torch.empty_like(x)
    for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):
        row = x[tile_b, tile_m, :]
        out[tile_b, tile_m, :] = row * WEIGHT + row.sum(dim=-1, keepdim=True)
    return out
"""


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def test_attention_with_a_unit_batch_tile_has_only_2d_loads_and_dots():
    q = k = v = rand(3, 37, 16)
    kernel = kernel_text(kernel_source("matrix.py"), "attention_batched", q, k, v)
    assert "tl.reshape" not in kernel and "tl.permute" not in kernel  # no 3-D blocks at all
    assert "[:, None, None]" not in kernel and "BLOCK_B]" not in kernel
    assert "offs_b = pid_b * BLOCK_B\n" in kernel and "mask_b" not in kernel
    assert "q_ptr + offs_b * q_stride_0 + offs_m[:, None] * q_stride_1" in kernel
    # the whole head (SPLIT_D false where it fits: batch16's chunked form beside it)
    assert "product = tl.dot(queries, tl.trans(k_tile), max_num_imprecise_acc=0)" in kernel
    # the scale folded into exp2 (scaled_products.py); the user's [:, :, None] is [:, None]
    assert "tl.exp2(product * (scale * 1.4426950408889634) - new_max[:, None] *" in (
        one_line(kernel)
    )
    assert "acc = tl.zeros([BLOCK_M, BLOCK_D], dtype=tl.float32)" in kernel


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize("sizes", [(3, 37, 45, 16), (1, 5, 70, 32), (4, 64, 17, 16)], ids=str)
def test_attention_with_a_unit_batch_tile_matches_float64(sizes, dtype):
    batch, m, n, d = sizes
    q, k, v = (
        rand(batch, m, d, dtype=dtype),
        rand(batch, n, d, dtype=dtype),
        rand(batch, n, d, dtype=dtype),
    )
    source = kernel_source("matrix.py")
    ours = generated(source, "attention_batched", q, k, v)(q, k, v)
    scores = q.double() @ k.double().transpose(1, 2) / d**0.5
    exact = torch.softmax(scores, dim=-1) @ v.double()
    error = ((ours.double() - exact).norm() / exact.norm()).item()
    assert error < (2e-3 if dtype == torch.float16 else FP32_DOT), error


@pytest.mark.parametrize(
    ("weight", "squeezed"),
    [
        ("w[tile_m, :]", True),  # lower rank: broadcasts without the batch dimension
        ("w[None, tile_m, :]", True),  # the load's None stands for the batch tile (a retry)
        ("w[tile_m, :][None, :, :]", True),  # so does a view's None
        # a reduction over the batch tile needs its dimension: materialised, 3-D
        ("w[tile_m, :] + 0 * row.sum(dim=0, keepdim=True)", False),
    ],
)
def test_a_unit_batch_tile_is_materialised_only_where_needed(weight, squeezed):
    source = ROWS.replace("WEIGHT", f"({weight})")
    x, w = rand(3, 21, 13), rand(21, 13)
    kernel = kernel_text(source, "shifted_rows", x, w)
    assert ("BLOCK_B, BLOCK_M" not in kernel and "mask_b" not in kernel) == squeezed
    assert ("tl.sum(" in kernel) and ("axis=1" if squeezed else "axis=2") in kernel
    code = "\n".join(line for line in kernel.splitlines() if not line.lstrip().startswith("#"))
    assert "[None, :, :]" not in code if squeezed else "mask_b[:, None, None]" in code
    ours = generated(source, "shifted_rows", x, w)(x, w)
    expected = reference(source, "shifted_rows")(x.clone(), w.clone())
    assert ours.shape == expected.shape == x.shape
    exact = x.double() * w.double() + x.double().sum(-1, keepdim=True)
    torch.testing.assert_close(ours.double(), exact, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ours, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_causal_attention_mask_with_none_stays_2d(dtype):
    """`visible[None, :, :]` meets the squeezed batch tile: its None stands for the tile."""
    q, k, v = (rand(2, 37, 16, dtype=dtype) for _ in range(3))
    source = kernel_source("examples.py")
    kernel = kernel_text(source, "causal_attention", q, k, v)
    assert "tl.reshape" not in kernel and "BLOCK_B]" not in kernel
    assert 'scores = tl.where(visible, scores, float("-inf"))' in kernel
    ours = generated(source, "causal_attention", q, k, v)(q, k, v)
    scores = q.double() @ k.double().transpose(1, 2) / 4
    scores = scores.masked_fill(torch.ones(37, 37, dtype=torch.bool).triu(1), float("-inf"))
    exact = torch.softmax(scores, dim=-1) @ v.double()
    error = ((ours.double() - exact).norm() / exact.norm()).item()
    assert error < (2e-3 if dtype == torch.float16 else FP32_DOT), error
