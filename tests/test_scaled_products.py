"""A dot's result times a scalar (lower/scaled_products.py): the row max taken before the
scaling where the scale is positive, exp of it one exp2 with the scale and log2(e) folded in.
Each kernel matches float64 in the interpreter (negative and positive scales, odd sizes); the
plain attention spelling compiles for sm_90 to the float32 work of the exp2 spelling."""

from __future__ import annotations

import math
import re

import pytest
import torch
from helpers import assert_matches, on_device, one_line
from test_attention_spellings import (
    WARP_SPECIALIZED,
    attention_by_begin,
    attention_unit_batch,
    exact_attention,
    spelling_inputs,
)

import transpiler
import transpiler.language as hl


@transpiler.kernel()
def scaled_softmax(x: torch.Tensor, y: torch.Tensor, temperature: float) -> torch.Tensor:
    # a matmul epilogue: rows of (x @ y) * temperature through a softmax
    m, n = x.size(0), y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        logits = (x[tile_m, :] @ y[:, :]).float() * temperature
        top = logits.amax(dim=-1)
        weights = torch.exp(logits - top[:, None])
        out[tile_m, :] = weights / weights.sum(dim=-1)[:, None]
    return out


@transpiler.kernel()
def cross_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, temperature: float):
    # keys of another length; the scores divided by an argument; causal where both align
    heads, m, d = q.size()
    n = k.size(1)
    out = torch.empty_like(q)
    for tile_h, tile_m in hl.tile([heads, m], block_size=[1, None]):
        h = tile_h.begin
        m_i = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        for tile_n in hl.tile(n):
            s = q[h, tile_m, :] @ k[h, tile_n, :].T / temperature
            m_new = torch.maximum(m_i, torch.amax(s, -1))
            p = torch.exp(s - m_new[:, None])
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + p.sum(-1)
            acc = acc * alpha[:, None] + p.to(v.dtype) @ v[h, tile_n, :]
            m_i = m_new
        out[h, tile_m, :] = (acc / l_i[:, None]).to(out.dtype)
    return out


@transpiler.kernel()
def rebound_product(x: torch.Tensor, y: torch.Tensor, gain: float) -> torch.Tensor:
    # the product's name assigned again after the scaling: the fold would read the new value
    m, n = x.size(0), y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        products = (x[tile_m, :] @ y[:, :]).float()
        logits = products * gain
        products = products + 1.0
        out[tile_m, :] = torch.exp(logits - logits.amax(dim=-1)[:, None]) + products
    return out


@transpiler.kernel()
def rescaled_in_a_loop(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # the scaled scores assigned again in a loop after their max: each later iteration's max is
    # of the new scores (folded, every iteration read the first one's; wrong until 2026-12-06)
    m, n = x.size(0), y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        s = (x[tile_m, :] @ y[:, :]).float() * 0.5
        for _ in hl.tile(3, block_size=1):
            top = s.amax(dim=-1)
            s = s - top[:, None] * 0.5
        out[tile_m, :] = torch.exp(s)
    return out


@transpiler.kernel()
def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # the scaled scores masked before the max: no fold (a where is no scaling), still right
    heads, m, d = q.size()
    scale = 1.0 / math.sqrt(d)
    out = torch.empty_like(q)
    for tile_h, tile_m in hl.tile([heads, m], block_size=[1, None]):
        h = tile_h.begin
        m_i = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        for tile_n in hl.tile(m):
            s = q[h, tile_m, :] @ k[h, tile_n, :].T * scale
            s = torch.where(tile_m.index[:, None] >= tile_n.index[None, :], s, float("-inf"))
            m_new = torch.maximum(m_i, s.amax(-1))
            p = torch.exp(s - m_new[:, None])
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + p.sum(-1)
            acc = acc * alpha[:, None] + p.to(v.dtype) @ v[h, tile_n, :]
            m_i = m_new
        out[h, tile_m, :] = (acc / l_i[:, None]).to(out.dtype)
    return out


def exact_scaled_softmax(x, y, temperature):
    return torch.softmax((x.double() @ y.double()) * temperature, dim=-1)


def exact_rebound(x, y, gain):
    products = x.double() @ y.double()
    logits = products * gain
    return torch.exp(logits - logits.amax(-1, keepdim=True)) + products + 1


def exact_causal(q, k, v):
    scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(q.size(-1))
    keep = torch.ones(scores.shape[-2:], dtype=torch.bool).tril()
    return torch.softmax(scores.masked_fill(~keep, float("-inf")), -1) @ v.double()


@pytest.mark.parametrize("temperature", [0.37, -1.3], ids=["positive", "negative"])
@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_a_scaled_matmul_epilogue_matches_float64(temperature, dtype):
    torch.manual_seed(7)
    x, y = torch.randn(45, 24, dtype=dtype) + 0.1, torch.randn(24, 33, dtype=dtype) - 0.2
    bound = scaled_softmax.bind((x, y, temperature), {"block_sizes": [16]})
    code = bound.triton_source
    assert "logits = logits_unscaled * temperature" in code and "TEMPERATURE_POSITIVE" in code
    assert "tl.exp2(logits_unscaled * (temperature * 1.4426950408889634)" in one_line(code)
    assert_matches(
        on_device(bound)(x, y, temperature),
        exact_scaled_softmax(x, y, temperature),
        dtype,
        dots=True,
    )


@pytest.mark.parametrize("temperature", [1.7, -0.6], ids=["positive", "negative"])
@pytest.mark.parametrize("sizes", [(3, 37, 29, 16), (2, 64, 48, 32)], ids=["ragged", "whole"])
@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_cross_attention_divided_by_an_argument_matches_float64(temperature, sizes, dtype):
    heads, m, n, d = sizes
    torch.manual_seed(m + n)
    q = torch.randn(heads, m, d, dtype=dtype) + 0.2
    k, v = torch.randn(heads, n, d, dtype=dtype) * 0.8, torch.randn(heads, n, d, dtype=dtype)
    bound = cross_attention.bind(
        (q, k, v, temperature), {"block_sizes": [16, 16], **WARP_SPECIALIZED}
    )
    code = bound.triton_source
    assert "tl.exp2(s_unscaled * (1.4426950408889634 / temperature)" in one_line(code)
    scores = q.double() @ k.double().transpose(-2, -1) / temperature
    expected = torch.softmax(scores, -1) @ v.double()
    assert_matches(on_device(bound)(q, k, v, temperature), expected, dtype, dots=True)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_a_product_named_again_after_the_scaling_is_not_folded(dtype):
    torch.manual_seed(3)
    x, y = torch.randn(29, 16, dtype=dtype), torch.randn(16, 21, dtype=dtype) * 0.5
    bound = rebound_product.bind((x, y, 0.8), {"block_sizes": [16]})
    assert "tl.exp2" not in bound.triton_source and "GAIN_POSITIVE" not in bound.triton_source
    assert_matches(on_device(bound)(x, y, 0.8), exact_rebound(x, y, 0.8), dtype, dots=True)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_scores_assigned_again_in_a_loop_are_not_folded(dtype):
    torch.manual_seed(4)
    x, y = torch.randn(37, 24, dtype=dtype), torch.randn(24, 29, dtype=dtype)
    bound = rescaled_in_a_loop.bind((x, y), {"block_sizes": [16]})
    assert "s_unscaled, float" not in one_line(bound.triton_source)  # the max is of s
    s = x.double() @ y.double() * 0.5
    for _ in range(3):
        s = s - s.amax(-1, keepdim=True) * 0.5
    assert_matches(on_device(bound)(x, y), torch.exp(s), dtype, dots=True)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_causal_attention_masked_after_the_scaling_matches_float64(dtype):
    torch.manual_seed(11)
    q, k, v = (torch.randn(2, 41, 16, dtype=dtype) for _ in range(3))
    bound = causal_attention.bind((q, k, v), {"block_sizes": [16, 16]})
    assert "tl.exp2" not in bound.triton_source  # the where's result is no scaled product
    assert_matches(on_device(bound)(q, k, v), exact_causal(q, k, v), dtype, dots=True)


def test_the_plain_spelling_folds_scale_and_max():
    args = spelling_inputs(False, 4, 64, 48, 32, torch.float16)
    code = attention_by_begin.bind(args, {"block_sizes": [32, 16], **WARP_SPECIALIZED})
    kernel = code.triton_source
    assert "s_unscaled = tl.dot(" in kernel and "s = s_unscaled * scale" in kernel
    assert (
        'max_nan(tl.where(mask_n[None, :], s_unscaled, float("-inf")), axis=1) * scale if SCALE_POSITIVE'
        in one_line(kernel)
    )
    assert "SCALE_POSITIVE = isinstance(scale, (int, float)) and 1e-38 < scale < 1e38" in kernel
    out = on_device(code)(*args)
    assert_matches(out, exact_attention(*args), torch.float16, dots=True)


def _float32_work(kernel, args, config) -> dict[str, int]:
    (result,) = kernel.bind(args, config).compile_for("sm_90")
    ptx = result.asm["ptx"]
    ops = ("mul.f32", "fma.rn", "ex2.approx")  # ex2.approx.f32 and .ftz.f32 alike
    return {op: len(re.findall(rf"^\s*{re.escape(op)}", ptx, re.M)) for op in ops}


def test_the_plain_spelling_compiles_to_the_exp2_spellings_float32_work():
    """Static PTX counts at the search's first config (bf16, 128 x 128, warp-specialized): the
    plain spelling had 388 multiplies against 132 before the fold (2026-12-04)."""
    config = {"block_sizes": [128, 128], **WARP_SPECIALIZED}
    args = spelling_inputs(False, 4, 256, 256, 128, torch.bfloat16)
    plain = _float32_work(attention_by_begin, args, config)
    exp2 = _float32_work(attention_unit_batch, args, config)
    assert plain["fma.rn"] == exp2["fma.rn"] and plain["ex2.approx"] == exp2["ex2.approx"]
    assert plain["mul.f32"] <= exp2["mul.f32"] + 16, (plain, exp2)  # per-row scalings only
