"""Evaluator-style probes of matrix products as model code writes them (round 6): fused
epilogues after a K loop (bias, GELU / SiLU through torch.nn.functional, a residual, per-row and
per-column scales, a soft cap, a cast to float16), each spelling of the product (`torch.matmul`,
`@`, `hl.dot` with and without `acc=`, `torch.mm`, `torch.addmm` into a float32 accumulator,
`torch.bmm` / `torch.baddbmm` over 3-D tiles, a weight read transposed with `.T`), block sizes
from `hl.register_block_size`, `block_size=` and `hl.specialize`, split K by `hl.atomic_add`,
several outputs, and inputs transposed or sliced in host code; each against float64 torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch_answers import HEADER, assert_computes_as_torch, f, h

import transpiler

# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("addmm_bias_gelu_to_half", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, kk = x.shape
    _, n = w.shape
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = torch.addmm(acc, x[tile_m, tile_k], w[tile_k, tile_n])
        out[tile_m, tile_n] = F.gelu(acc + bias[tile_n]).to(torch.float16)
    return out
""", lambda: (h(37, 129), h(129, 45), h(45)), lambda x, w, b: F.gelu(x @ w + b)),
    ("matmul_operator_silu_residual", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    n = w.size(-1)
    out = torch.empty_like(residual)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(x.size(1)):
            acc += x[tile_m, tile_k] @ w[tile_k, tile_n]
        out[tile_m, tile_n] = (F.silu(acc) + residual[tile_m, tile_n]).to(out.dtype)
    return out
""", lambda: (h(33, 70), h(70, 19), h(33, 19)), lambda x, w, r: F.silu(x @ w) + r),
    ("hl_dot_acc_row_and_column_scales", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, row_scale: torch.Tensor, col_scale: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = w.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = hl.dot(x[tile_m, tile_k], w[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc * row_scale[tile_m][:, None] * col_scale[tile_n][None, :]
    return out
""", lambda: (h(29, 48), h(48, 37), f(29), f(37)),
     lambda x, w, r, c: (x @ w) * r[:, None] * c[None, :]),
    ("linear_weight_transposed_with_dot_T", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, kk = x.shape
    n = weight.shape[0]
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = acc + torch.mm(x[tile_m, tile_k], weight[tile_n, tile_k].T)
        out[tile_m, tile_n] = (acc + bias[tile_n].float()).to(x.dtype)
    return out
""", lambda: (h(37, 65), h(23, 65), h(23)), lambda x, w, b: x @ w.T + b),
    ("torch_matmul_soft_capped", """
@helion.kernel()
def k(q: torch.Tensor, kt: torch.Tensor, cap: float) -> torch.Tensor:
    m, d = q.size()
    n = kt.size(1)
    scores = torch.empty([m, n], dtype=torch.float32, device=q.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(d):
            acc = acc + torch.matmul(q[tile_m, tile_k], kt[tile_k, tile_n])
        scores[tile_m, tile_n] = torch.tanh(acc / cap) * cap
    return scores
""", lambda: (h(21, 64), h(64, 41), 2.5), lambda q, k, c: torch.tanh((q @ k) / c) * c),
    ("bmm_3d_tiles", """
@helion.kernel()
def k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, m, kk = a.size()
    n = b.size(2)
    out = torch.empty([batch, m, n], dtype=a.dtype, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = torch.baddbmm(acc, a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc.to(a.dtype)
    return out
""", lambda: (h(3, 19, 40), h(3, 40, 27)), lambda a, b: torch.bmm(a, b)),
    ("bmm_plus_residual_returned_with_scores", """
@helion.kernel()
def k(a: torch.Tensor, b: torch.Tensor, r: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    batch, m, kk = a.shape
    n = b.shape[-1]
    scores = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    summed = torch.empty_like(scores)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc += torch.bmm(a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        scores[tile_b, tile_m, tile_n] = acc
        summed[tile_b, tile_m, tile_n] = acc + r[tile_b, tile_m, tile_n]
    return scores, summed
""", lambda: (h(2, 17, 33), h(2, 33, 9), f(2, 17, 9)),
     lambda a, b, r: (torch.bmm(a, b), torch.bmm(a, b) + r)),
    ("weight_transposed_on_the_host", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    w_t = weight.t()
    m, kk = x.shape
    n = w_t.shape[1]
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = hl.dot(x[tile_m, tile_k], w_t[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = torch.relu(acc).half()
    return out
""", lambda: (h(25, 50), h(31, 50)), lambda x, w: torch.relu(x @ w.t())),
    ("register_block_size_for_k", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    _, n = y.size()
    block_k = hl.register_block_size(16, 64)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk, block_size=block_k):
            acc = acc + x[tile_m, tile_k].float() @ y[tile_k, tile_n].float()
        out[tile_m, tile_n] = acc
    return out
""", lambda: (h(19, 129), h(129, 23)), lambda x, y: x @ y),
    ("fixed_block_sizes_and_out_dtype", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n], block_size=[32, 16]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk, block_size=32):
            acc += hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], out_dtype=torch.float32)
        out[tile_m, tile_n] = (acc * 0.5).to(torch.float16)
    return out
""", lambda: (h(45, 97), h(97, 37)), lambda x, y: (x @ y) * 0.5),
    ("specialized_k_whole", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    kk = hl.specialize(kk)
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.matmul(x[tile_m, :], y[:, tile_n]).float() + 1.0
    return out
""", lambda: (h(27, 32), h(32, 13)), lambda x, y: x @ y + 1.0),
    ("matmul_then_layer_norm_over_whole_rows", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float) -> torch.Tensor:
    m, kk = x.shape
    n = hl.specialize(w.shape[1])
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = acc + x[tile_m, tile_k] @ w[tile_k, :]
        mean = acc.mean(dim=-1, keepdim=True)
        centered = acc - mean
        var = (centered * centered).mean(dim=-1, keepdim=True)
        normed = centered * torch.rsqrt(var + eps)
        out[tile_m, :] = (normed * gamma[None, :].float() + beta[None, :].float()).to(torch.float16)
    return out
""", lambda: (h(19, 48), h(48, 32), h(32), h(32), 1e-5),
     lambda x, w, g, b, e: F.layer_norm(x @ w, (32,), g, b, e)),
    ("split_k_by_atomic_add", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.zeros([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n, tile_k in hl.tile([m, n, kk], block_size=[None, None, 32]):
        partial = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], out_dtype=torch.float32)
        hl.atomic_add(out, [tile_m, tile_n], partial)
    return out
""", lambda: (h(21, 130), h(130, 19)), lambda x, y: x @ y),
    ("pre_activation_and_activation_returned", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, kk = x.shape
    n = w.shape[1]
    pre = torch.empty([m, n], dtype=torch.float32, device=x.device)
    act = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = torch.addmm(acc, x[tile_m, tile_k], w[tile_k, tile_n])
        acc = acc + bias[tile_n][None, :]
        pre[tile_m, tile_n] = acc
        act[tile_m, tile_n] = F.gelu(acc, approximate="tanh").to(torch.float16)
    return pre, act
""", lambda: (h(37, 40), h(40, 29), f(29)),
     lambda x, w, b: (x @ w + b, F.gelu(x @ w + b, approximate="tanh"))),
    ("activations_from_a_transposed_input", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = acc + x[tile_m, tile_k] @ y[tile_k, tile_n]
        out[tile_m, tile_n] = acc
    return out
""", lambda: (h(50, 27).t(), h(50, 33)), lambda x, y: x @ y),
    ("sliced_on_the_host_then_swiglu", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, kk = x.shape
    n2 = w.shape[1]
    n = n2 // 2
    gate_w = w[:, :n]
    up_w = w[:, n:]
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        gate = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        up = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            gate = hl.dot(x[tile_m, tile_k], gate_w[tile_k, tile_n], acc=gate)
            up = hl.dot(x[tile_m, tile_k], up_w[tile_k, tile_n], acc=up)
        out[tile_m, tile_n] = (F.silu(gate) * up).to(x.dtype)
    return out
""", lambda: (h(23, 48), h(48, 38)),
     lambda x, w: F.silu(x @ w[:, :19]) * (x @ w[:, 19:])),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_product_computes_as_torch(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth)


ADDMM_SCALED = """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = c[tile_m, tile_n]
        for tile_k in hl.tile(kk):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n], beta=1.0, alpha=0.5)
        out[tile_m, tile_n] = acc
    return out
"""


def test_addmm_scaled_by_alpha_is_refused_at_the_keyword():
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile(HEADER + ADDMM_SCALED)
    message = str(caught.value)
    # beta=1.0 is torch's default written out (honoured since round 8): the refusal is alpha's
    column = (HEADER + ADDMM_SCALED).splitlines()[14].index("0.5") + 1
    assert f":15:{column}:" in message and "addmm(alpha=...)" in message
    assert "acc * beta + alpha * (a @ b)" in message
