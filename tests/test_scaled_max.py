"""A product of a scaled tile (`qk = bmm(q * scale, k)`, lower/scaled_factors.py) keeps its
unscaled product by name (`qk_unscaled = tl.dot(q, k)`), so that its row max is taken before
the scaling (lower/scaled_products.py): `max(qk_unscaled) * scale`, exact for a positive
scale, where the launcher's flags say the scaling holds. Each kernel matches float64 in the
interpreter (positive, negative and large scales, a name assigned again in a loop); Helion's
attention spelling compiles for sm_90 to as many float32 multiplies as ours."""

from __future__ import annotations

import math
import re

import pytest
import torch
from helpers import assert_matches, on_device, one_line
from test_attention_spellings import attention_4d, config, spelling_inputs
from test_scaled_products import _float32_work

import transpiler
import transpiler.language as hl


@transpiler.kernel()
def scaled_scores_softmax(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    b, m, _ = q.size()
    n = k.size(1)
    out = torch.empty([b, m, n], dtype=torch.float32, device=q.device)
    for tile_b, tile_m in hl.tile([b, m]):
        queries = q[tile_b, tile_m, :]
        keys = k[tile_b, :, :]
        scores = torch.bmm(queries * 0.125, keys.transpose(1, 2), torch.float32)
        top = torch.amax(scores, -1)
        weights = torch.exp(scores - top[:, :, None])
        out[tile_b, tile_m, :] = weights / weights.sum(-1, keepdim=True)
    return out


@transpiler.kernel()
def negatively_scaled_scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    # a negative scale: the max of the scaled scores is the min of the products (no fold)
    b, m, _ = q.size()
    n = k.size(1)
    out = torch.empty([b, m, n], dtype=torch.float32, device=q.device)
    for tile_b, tile_m in hl.tile([b, m]):
        queries = q[tile_b, tile_m, :]
        keys = k[tile_b, :, :]
        scores = torch.bmm(queries * -0.25, keys.transpose(1, 2))
        out[tile_b, tile_m, :] = scores - scores.amax(dim=-1, keepdim=True)
    return out


@transpiler.kernel()
def scaled_max_and_index(x: torch.Tensor, y: torch.Tensor, scale: float):
    # torch.max(s, dim): its values folded where the flags hold, its indices of s as written
    b, m, _ = x.size()
    n = y.size(2)
    top = torch.empty([b, m], dtype=torch.float32, device=x.device)
    where = torch.empty([b, m], dtype=torch.int64, device=x.device)
    shifted = torch.empty([b, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        rows = x[tile_b, tile_m, :]
        columns = y[tile_b, :, :]
        s = torch.bmm(rows * scale, columns, torch.float32)
        best = torch.max(s, dim=-1)
        top[tile_b, tile_m] = best.values
        where[tile_b, tile_m] = best.indices
        shifted[tile_b, tile_m, :] = s - best.values[:, :, None]
    return top, where, shifted


@transpiler.kernel()
def rescaled_in_a_loop(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # the scaled product assigned again in a loop after its max: the later iterations' max is
    # of the new values
    b, m, _ = x.size()
    n = y.size(2)
    out = torch.empty([b, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        rows = x[tile_b, tile_m, :]
        columns = y[tile_b, :, :]
        s = torch.bmm(rows * 0.5, columns)
        for _ in hl.tile(3, block_size=1):
            top = s.amax(-1)
            s = s - top[:, :, None] * 0.5
        out[tile_b, tile_m, :] = s
    return out


@transpiler.kernel()
def attention_4d_by_hand(q_in: torch.Tensor, k_in: torch.Tensor, v_in: torch.Tensor):
    # test_attention_spellings.attention_4d with the scale moved past the product by hand
    seq_q, head_dim = q_in.size(-2), q_in.size(-1)
    seq_k = k_in.size(-2)
    queries = q_in.reshape([-1, seq_q, head_dim])
    keys = k_in.reshape([-1, seq_k, head_dim])
    values = v_in.reshape([-1, seq_k, head_dim])
    out = torch.empty_like(queries)
    log_sums = torch.empty([queries.size(0), seq_q], dtype=torch.float32, device=q_in.device)
    scale = 1.44269504 / math.sqrt(head_dim)
    for tile_b, tile_m in hl.tile([queries.size(0), seq_q]):
        running_max = hl.full([tile_b, tile_m], float("-inf"), dtype=torch.float32)
        total = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_m, head_dim], dtype=torch.float32)
        q_tile = queries[tile_b, tile_m, :]
        for tile_n in hl.tile(seq_k):
            scores = torch.bmm(q_tile, keys[tile_b, tile_n, :].transpose(1, 2))
            new_max = torch.maximum(running_max, torch.amax(scores, -1) * scale)
            p = torch.exp2(scores * scale - new_max[:, :, None])
            alpha = torch.exp2(running_max - new_max)
            total = total * alpha + torch.sum(p, -1)
            acc = torch.baddbmm(
                acc * alpha[:, :, None], p.to(values.dtype), values[tile_b, tile_n, :]
            )
            running_max = new_max
        log_sums[tile_b, tile_m] = running_max + torch.log2(total)
        out[tile_b, tile_m, :] = (acc / total[:, :, None]).to(out.dtype)
    return out.view(q_in.size()), log_sums.view(q_in.size()[:-1])


def statement(source: str, start: str) -> str:
    """The generated statement that begins with `start`, on one line (up to its comment)."""
    return re.search(re.escape(start) + "[^#]*", one_line(source)).group(0)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize("sizes", [(2, 32, 16, 16), (3, 37, 29, 24)], ids=["whole", "ragged"])
def test_a_constant_scales_max_is_taken_before_the_scaling(sizes, dtype):
    b, m, n, d = sizes
    torch.manual_seed(m + n)
    q, k = torch.randn(b, m, d, dtype=dtype), torch.randn(b, n, d, dtype=dtype)
    bound = scaled_scores_softmax.bind((q, k), {"block_sizes": [2, 16]})
    code = one_line(bound.triton_source)
    assert "scores_unscaled = tl.dot(as_factor(queries," in code
    assert "scores = scores_unscaled * 0.125 #" in code
    assert re.search(r"top = max_nan\([^#]*scores_unscaled[^#]*\) \* 0\.125 #", code)
    assert "tl.exp2(scores_unscaled * (0.125 * 1.4426950408889634)" in code
    scores = q.double() @ k.double().transpose(1, 2) * 0.125
    assert_matches(on_device(bound)(q, k), torch.softmax(scores, -1), dtype, dots=True)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_a_negative_scales_max_stays_as_written(dtype):
    torch.manual_seed(8)
    q, k = torch.randn(3, 37, 24, dtype=dtype), torch.randn(3, 29, 24, dtype=dtype)
    bound = negatively_scaled_scores.bind((q, k), {"block_sizes": [2, 16]})
    code = bound.triton_source
    assert "scores = scores_unscaled * -0.25" in code  # the product still scaled after it
    assert "scores_unscaled" not in statement(code, "tl.store(out_ptrs,")
    scores = q.double() @ k.double().transpose(1, 2) * -0.25
    expected = scores - scores.amax(-1, keepdim=True)
    assert_matches(on_device(bound)(q, k), expected, dtype, dots=True)


@pytest.mark.parametrize("scale", [0.3, -0.3, 2.0], ids=["folded", "negative", "past one"])
@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_an_argument_scale_is_tested_by_the_launcher(scale, dtype):
    """Both flags: |scale| <= 1 (the product scaled) and scale > 0 (its max folded); the
    launcher sets them, the kernel keeps the written forms beside. At 2.0 a float16 row of
    40000s overflows in torch's `rows * scale`: inf scores, NaN differences, as torch has."""
    torch.manual_seed(int(scale * 10) + 20)
    x, y = torch.randn(3, 37, 24, dtype=dtype), torch.rand(3, 24, 29, dtype=dtype) + 0.1
    x[1, 5, :] = 40000.0
    bound = scaled_max_and_index.bind((x, y, scale), {"block_sizes": [2, 16]})
    code = one_line(bound.triton_source)
    assert "SCALE_AT_MOST_ONE = isinstance(scale, (int, float)) and abs(scale) <= 1" in code
    assert re.search(
        r"max_nan\(tl\.where\([^#]*s_unscaled[^#]*\) \* scale if SCALE_AT_MOST_ONE and "
        r"SCALE_POSITIVE else max_nan\(tl\.where\([^#]*, s, ",
        code,
    )
    assert "argmax_nan(tl.where(mask_n[None, None, :], s, " in code  # the indices: of s
    scores = (x * scale).double() @ y.double()  # torch's rounding of x * scale, its overflow
    if dtype == torch.float16 and scale == 2.0:
        assert torch.isinf(scores[1, 5]).all()
    top, where, shifted = on_device(bound)(x, y, scale)
    exact_top = scores.amax(-1)
    assert_matches(top, exact_top, dtype, dots=True)
    assert_matches(scores.gather(-1, where[:, :, None])[:, :, 0], exact_top, dtype, dots=True)
    assert_matches(shifted, scores - exact_top[:, :, None], dtype, dots=True)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_a_product_assigned_again_in_a_loop_is_not_folded_there(dtype):
    torch.manual_seed(9)
    x, y = torch.randn(3, 37, 24, dtype=dtype), torch.randn(3, 24, 29, dtype=dtype)
    bound = rescaled_in_a_loop.bind((x, y), {"block_sizes": [2, 16]})
    code = bound.triton_source
    assert "s = s_unscaled * 0.5" in code  # the product named, its max in the loop not folded
    assert "s_unscaled" not in statement(code, "top = ")
    s = x.double() @ y.double() * 0.5
    for _ in range(3):
        s = s - s.amax(-1, keepdim=True) * 0.5
    assert_matches(on_device(bound)(x, y), s, dtype, dots=True)


def test_helions_spelling_folds_its_row_max():
    """The 4-D spelling (`scores = bmm(q_tile * scale, k)`, a host scale): the max of the
    product taken before the scaling, under both launcher flags."""
    args = spelling_inputs(True, 4, 64, 48, 32, torch.float16)
    bound = attention_4d.bind(args, config("4-D, batch block from the config", 32, 16))
    code = one_line(bound.triton_source)
    assert "scores_unscaled = tl.dot(as_factor(q_tile," in code
    assert re.search(
        r"scores = \(?scores_unscaled \* scale if SCALE_AT_MOST_ONE else tl\.dot\(", code
    )
    assert "* scale if SCALE_AT_MOST_ONE and SCALE_POSITIVE else max_nan(" in code


@pytest.mark.parametrize("block_m, block_n", [(128, 128), (128, 64)])
def test_helions_spelling_compiles_to_the_float32_work_of_the_scale_moved_by_hand(block_m, block_n):
    """sm_90, bf16, the search's first configs: the scaled scores' only use is `scores - max`,
    one fma each, as where the source scales after the product (the lab's Helion row had 268
    multiplies against ours' 132 before the fold, 2026-12-06)."""
    args = spelling_inputs(True, 4, 256, 256, 128, torch.bfloat16)
    spelling = config("4-D, batch block from the config", block_m, block_n)
    folded = _float32_work(attention_4d, args, spelling)
    by_hand = _float32_work(attention_4d_by_hand, args, spelling)
    assert folded == by_hand, (folded, by_hand)


def test_a_scale_float32_holds_as_zero_is_not_folded():
    """1e-300 is 0 in float32, as the kernel holds it: -inf * 0 is NaN in the scores, so their
    max is NaN as torch's, where max(products) * 0 would be 0 (the launcher's positive test is
    of float32's range)."""
    torch.manual_seed(12)
    x, y = torch.rand(3, 37, 24) + 0.1, torch.randn(3, 24, 29)
    y[1, 0, 3] = float("-inf")  # x's rows are positive: column 3 of batch 1 is -inf
    bound = scaled_max_and_index.bind((x, y, 1e-300), {"block_sizes": [2, 16]})
    top, where, _ = on_device(bound)(x, y, 1e-300)
    scores = (x * 1e-300) @ y  # torch: x * 0 in float32, 0 * -inf: NaN
    assert torch.isnan(scores[1, :, 3]).all() and not torch.isnan(scores[0]).any()
    assert_matches(top, scores.amax(-1), torch.float32, dots=True)
    assert torch.equal(where[1], torch.full_like(where[1], 3))
