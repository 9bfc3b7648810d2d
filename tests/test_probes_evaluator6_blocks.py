"""Evaluator-style probes of reductions over a tile dimension whose one block is larger than the
range (round 6: 37 rows in a block of 64, where the lanes past the end must not count): max,
min, prod, argmax, mean, var, softmax and logsumexp along the tile; attention-style kernels
(a causal mask from tile indices, online softmax over key tiles, a scale from `math.sqrt` of a
size); an accumulator started from the bias; each against float64 torch."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import DEVICE, dot_tolerance
from torch_answers import assert_computes_as_torch, f

import transpiler

HEADER = """
import math
import torch
import torch.nn.functional as F
import helion
import helion.language as hl
"""

COLUMNS = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype=OUT, device=x.device)
    for tile_n in hl.tile(n, block_size=16):
        for tile_m in hl.tile(m, block_size=64):
            out[tile_n] = EXPRESSION
    return out
"""
WHOLE_COLUMNS = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n], block_size=[64, 16]):
        out[tile_m, tile_n] = EXPRESSION
    return out
"""


def columns(expression, out="x.dtype"):
    return COLUMNS.replace("EXPRESSION", expression).replace("OUT", out)


def whole_columns(expression):
    return WHOLE_COLUMNS.replace("EXPRESSION", expression)


def negative(*shape):
    return -torch.rand(*shape, device=DEVICE) - 0.5


def causal_attention(q, k, v):
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.size(-1))
    s = q.size(-2)
    mask = torch.ones(s, s, dtype=torch.bool).tril()
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), -1) @ v


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("amax_of_negatives_along_a_partial_tile", columns("x[tile_m, tile_n].amax(dim=0)"),
     lambda: (negative(37, 21),), lambda x: x.amax(0)),
    ("min_of_positives_along_a_partial_tile", columns("torch.min(x[tile_m, tile_n], dim=0).values"),
     lambda: (torch.rand(37, 21, device=DEVICE) + 0.5,), lambda x: x.min(0).values),
    ("prod_along_a_partial_tile", columns("x[tile_m, tile_n].prod(dim=0)"),
     lambda: (torch.rand(37, 21, device=DEVICE) * 0.4 + 0.8,), lambda x: x.prod(0)),
    ("argmax_of_negatives_along_a_partial_tile",
     columns("x[tile_m, tile_n].argmax(dim=0)", "torch.int64"),
     lambda: (negative(37, 21),), lambda x: x.argmax(0)),
    ("argmin_along_a_partial_tile", columns("torch.argmin(x[tile_m, tile_n], dim=0)", "torch.int64"),
     lambda: (torch.rand(37, 21, device=DEVICE) + 0.5,), lambda x: x.argmin(0)),
    ("mean_along_a_partial_tile", columns("x[tile_m, tile_n].mean(0)"),
     lambda: (f(37, 21) + 1,), lambda x: x.mean(0)),
    ("var_along_a_partial_tile", columns("x[tile_m, tile_n].var(0, unbiased=True)"),
     lambda: (f(37, 21) + 1,), lambda x: x.var(0)),
    ("std_along_a_partial_tile", columns("torch.std(x[tile_m, tile_n], dim=0, correction=0)"),
     lambda: (f(37, 21) + 1,), lambda x: x.std(0, correction=0)),
    ("logsumexp_along_a_partial_tile", columns("torch.logsumexp(x[tile_m, tile_n], dim=0)"),
     lambda: (f(37, 21) - 3,), lambda x: torch.logsumexp(x, 0)),
    ("count_of_positives_along_a_partial_tile",
     columns("(x[tile_m, tile_n] > 0).sum(0)", "torch.int64"),
     lambda: (f(37, 21),), lambda x: (x > 0).sum(0)),
    ("all_below_along_a_partial_tile", columns("(x[tile_m, tile_n] < 2.5).all(0)", "torch.bool"),
     lambda: (f(37, 21),), lambda x: (x < 2.5).all(0)),
    ("norm_along_a_partial_tile", columns("torch.linalg.vector_norm(x[tile_m, tile_n], dim=0)"),
     lambda: (f(37, 21),), lambda x: torch.linalg.vector_norm(x, dim=0)),
    ("softmax_along_a_partial_tile", whole_columns("torch.softmax(x[tile_m, tile_n], dim=0)"),
     lambda: (negative(37, 21) * 4,), lambda x: torch.softmax(x, 0)),
    ("log_softmax_along_a_partial_tile", whole_columns("F.log_softmax(x[tile_m, tile_n], dim=0)"),
     lambda: (negative(37, 21) * 4,), lambda x: torch.log_softmax(x, 0)),
    ("centered_by_the_partial_tile_mean",
     whole_columns("x[tile_m, tile_n] - x[tile_m, tile_n].mean(0, keepdim=True)"),
     lambda: (f(37, 21) + 1,), lambda x: x - x.mean(0, keepdim=True)),
    ("cumsum_along_a_partial_tile", whole_columns("torch.cumsum(x[tile_m, tile_n], dim=0)"),
     lambda: (f(37, 21),), lambda x: torch.cumsum(x, 0)),
    ("causal_attention_one_block_of_keys", """
@helion.kernel()
def k(q: torch.Tensor, k_: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    bh, s, d = q.shape
    scale = 1.0 / math.sqrt(d)
    out = torch.empty_like(q)
    for tile_b, tile_q in hl.tile([bh, s], block_size=[1, 16]):
        for tile_k in hl.tile(s, block_size=64):
            scores = torch.bmm(q[tile_b, tile_q, :], k_[tile_b, tile_k, :].transpose(1, 2)) * scale
            rows = tile_q.index[:, None]
            cols = tile_k.index[None, :]
            scores = torch.where((cols <= rows)[None, :, :], scores, float("-inf"))
            probs = torch.softmax(scores, dim=-1)
            out[tile_b, tile_q, :] = torch.bmm(probs, v[tile_b, tile_k, :])
    return out
""", lambda: (f(3, 37, 16), f(3, 37, 16), f(3, 37, 16)), causal_attention),
    ("causal_attention_online_over_key_tiles", """
@helion.kernel()
def k(q: torch.Tensor, key: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    b, h, s, d = q.shape
    q_flat = q.reshape(-1, s, d)
    k_flat = key.reshape(-1, s, d)
    v_flat = v.reshape(-1, s, d)
    out = torch.empty_like(q_flat)
    sm_scale = d ** -0.5
    for tile_bh, tile_m in hl.tile([b * h, s]):
        m_i = hl.full([tile_bh, tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_bh, tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_bh, tile_m, d], dtype=torch.float32)
        q_blk = q_flat[tile_bh, tile_m, :]
        for tile_n in hl.tile(s):
            qk = torch.bmm(q_blk, k_flat[tile_bh, tile_n, :].transpose(1, 2)) * sm_scale
            causal = tile_n.index[None, None, :] <= tile_m.index[None, :, None]
            qk = torch.where(causal, qk, float("-inf"))
            m_new = torch.maximum(m_i, qk.amax(dim=-1))
            alpha = torch.exp(m_i - m_new)
            p = torch.exp(qk - m_new[:, :, None])
            l_i = l_i * alpha + p.sum(-1)
            acc = acc * alpha[:, :, None] + torch.bmm(p, v_flat[tile_bh, tile_n, :])
            m_i = m_new
        out[tile_bh, tile_m, :] = acc / l_i[:, :, None]
    return out.view(b, h, s, d)
""", lambda: (f(2, 2, 37, 16), f(2, 2, 37, 16), f(2, 2, 37, 16)), causal_attention),
    ("bias_started_accumulator", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, kk = x.shape
    n = w.shape[1]
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = bias[tile_n].to(torch.float32)[None, :].expand(tile_m, tile_n)
        for tile_k in hl.tile(kk):
            acc = acc + x[tile_m, tile_k] @ w[tile_k, tile_n]
        out[tile_m, tile_n] = acc
    return out
""", lambda: ((f(29, 40) * 0.3).half(), (f(40, 23) * 0.3).half(), f(23).half()),
     lambda x, w, b: x @ w + b),
    ("size_of_the_last_dim_inside_the_loop", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, :].sum(-1) / x.size(-1) + x.shape[-1]
    return out
""", lambda: (f(19, 45),), lambda x: x.mean(-1) + 45),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_blocks_compute_as_torch(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth, bound=BOUNDS.get(source))


# the two attentions: float32 products, TF32 on a GPU (Triton's default for tl.dot)
ATTENTION = {"rtol": 1e-4, "atol": 1e-4} if DEVICE == "cpu" else dot_tolerance(torch.float32)
BOUNDS = {CASES[-3][1]: ATTENTION, CASES[-4][1]: ATTENTION}


ARANGE_OF_A_SIZE = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        cols = torch.arange(n, device=x.device)[None, :]
        out[tile_m, :] = torch.where(cols <= tile_m.index[:, None], x[tile_m, :], 0.0)
    return out
"""


def test_hl_arange_over_a_whole_size_is_that_dimension():
    """hl.arange(n) of a host size: the whole dimension's indices (refused before round 14)."""
    source = HEADER + ARANGE_OF_A_SIZE.replace("torch.arange(n, device=x.device)", "hl.arange(n)")
    make = lambda: [torch.randn(13, 37, device=DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, torch.tril)


def test_an_arange_over_a_whole_size_is_refused_with_the_tile_spelling():
    source = HEADER + ARANGE_OF_A_SIZE
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile(source)
    text = str(caught.value)
    assert ":13:" in text and "tile.index" in text
