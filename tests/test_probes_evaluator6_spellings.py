"""Evaluator-style probes of the spellings model code uses around products and reductions
(round 6): `F.linear` and `torch.addmm` with a bias row, float16 accumulators, `dtype=` of sum /
mean / softmax, `torch.var_mean`, `F.layer_norm` / `F.normalize` on a row, `vals, idx =
torch.max(...)`, default float arguments left out, sizes and outputs made with varargs and
`new_empty`, float16 activations, a label row with an ignore index; each against float64
torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, dot_tolerance
from torch_answers import HEADER, assert_computes_as_torch, f, h

import transpiler


def ignoring(n, classes):
    target = torch.randint(0, classes, (n,), device=DEVICE)
    target[::4] = -100
    return target


def cross_entropy_ignoring(logits, target):
    return F.cross_entropy(logits, target, ignore_index=-100, reduction="none")


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("addmm_with_a_bias_row_whole_k", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, kk = x.shape
    n = w.shape[1]
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.addmm(bias[tile_n], x[tile_m, :], w[:, tile_n])
    return out
""", lambda: (f(19, 32), f(32, 23), f(23)), lambda x, w, b: torch.addmm(b, x, w)),
    # the accumulator broadcast to the product (a Triton crash before: a 1-D acc for tl.dot)
    ("addmm_with_a_column_of_row_biases", """
@helion.kernel()
def k(x: torch.Tensor, w: torch.Tensor, row_bias: torch.Tensor) -> torch.Tensor:
    m, kk = x.shape
    n = w.shape[1]
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = torch.addmm(row_bias[tile_m][:, None].float(), x[tile_m, :], w[:, tile_n])
        out[tile_m, tile_n] = F.gelu(acc).to(torch.float16)
    return out
""", lambda: (h(37, 48), h(48, 21), h(37)), lambda x, w, r: F.gelu(r[:, None] + x @ w)),
    ("baddbmm_with_a_bias_row", """
@helion.kernel()
def k(a: torch.Tensor, b: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    batch, m, kk = a.shape
    n = b.shape[2]
    out = torch.empty([batch, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        out[tile_b, tile_m, tile_n] = torch.baddbmm(bias[tile_n], a[tile_b, tile_m, :], b[tile_b, :, tile_n])
    return out
""", lambda: (f(3, 19, 32), f(3, 32, 17), f(17)), lambda a, b, c: torch.baddbmm(c, a, b)),
    ("functional_linear_with_bias", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    n = weight.size(0)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = F.linear(x[tile_m, :], weight[tile_n, :], bias[tile_n])
    return out
""", lambda: (h(27, 32), h(21, 32), h(21)), lambda x, w, b: F.linear(x, w, b)),
    ("half_accumulator", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float16)
        for tile_k in hl.tile(kk):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
""", lambda: (h(21, 48), h(48, 19)), lambda x, y: x @ y),
    ("upcast_factors_in_the_loop", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc += x[tile_m, tile_k].to(torch.float32) @ y[tile_k, tile_n].to(torch.float32)
        out[tile_m, tile_n] = acc
    return out
""", lambda: (h(21, 70), h(70, 19)), lambda x, y: x @ y),
    ("sum_and_mean_with_dtype", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    sums = torch.empty([m], dtype=torch.float32, device=x.device)
    means = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile in hl.tile(m):
        sums[tile] = x[tile, :].sum(-1, dtype=torch.float32)
        means[tile] = torch.mean(x[tile, :], dim=-1, dtype=torch.float32)
    return sums, means
""", lambda: ((torch.randn(13, 600, device=DEVICE) * 30).half(),),
     lambda x: (x.sum(-1), x.mean(-1))),
    ("softmax_with_dtype_of_half", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = torch.softmax(x[tile, :], dim=-1, dtype=torch.float32)
    return out
""", lambda: (h(13, 77) * 8,), lambda x: torch.softmax(x, -1)),
    ("var_mean_pair", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        var, mean = torch.var_mean(x[tile, :], dim=-1, keepdim=True, unbiased=False)
        out[tile, :] = (x[tile, :] - mean) / torch.sqrt(var + 1e-5)
    return out
""", lambda: (f(17, 45),), lambda x: F.layer_norm(x, (45,), eps=1e-5)),
    ("functional_layer_norm_on_a_row", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile in hl.tile(m):
        out[tile, :] = F.layer_norm(x[tile, :], [n], weight[:], bias[:], eps)
    return out
""", lambda: (f(17, 45), f(45), f(45)), lambda x, w, b: F.layer_norm(x, (45,), w, b, 1e-5)),
    ("default_eps_left_out", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-2) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile in hl.tile(m):
        row = x[tile, :]
        out[tile, :] = row * torch.rsqrt((row * row).mean(-1, keepdim=True) + eps) * weight[:]
    return out
""", lambda: (f(17, 45) * 0.1, f(45)),
     lambda x, w: x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-2) * w),
    ("normalize_rows", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = F.normalize(x[tile, :], p=2.0, dim=-1)
    return out
""", lambda: (f(17, 45),), lambda x: F.normalize(x, dim=-1)),
    ("max_values_and_indices_unpacked", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.shape
    best = torch.empty([m], dtype=x.dtype, device=x.device)
    where = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile in hl.tile(m):
        vals, idx = torch.max(x[tile, :], dim=-1)
        best[tile] = vals
        where[tile] = idx
    return best, where
""", lambda: (f(23, 101),), lambda x: tuple(torch.max(x, dim=-1))),
    ("varargs_sizes_and_new_empty", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.shape
    a = torch.empty(m, n, dtype=torch.float16, device=x.device)
    b = x.new_empty((m,))
    for tile in hl.tile(m):
        a[tile, :] = torch.sigmoid(x[tile, :])
        b[tile] = x[tile, :].amax(1)
    return a, b
""", lambda: (f(23, 41),), lambda x: (torch.sigmoid(x), x.amax(1))),
    ("half_activations", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        v = x[tile]
        out[tile] = F.gelu(v) + F.silu(v) + torch.tanh(v) + torch.erf(v) + F.softplus(v) + F.mish(v)
    return out
""", lambda: (h(37, 19) * 6,),
     lambda x: F.gelu(x) + F.silu(x) + torch.tanh(x) + torch.erf(x) + F.softplus(x) + F.mish(x)),
    ("cross_entropy_with_an_ignore_index", """
@helion.kernel()
def k(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    loss = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile in hl.tile(n):
        labels = target[tile]
        valid = labels != -100
        safe = torch.where(valid, labels, 0)
        rows = logits[tile, :]
        lse = torch.logsumexp(rows, dim=-1)
        picked = torch.gather(rows, 1, safe[:, None]).squeeze(1)
        loss[tile] = torch.where(valid, lse - picked, 0.0)
    return loss
""", lambda: (f(37, 65), ignoring(37, 65)), cross_entropy_ignoring),
    ("kl_div_of_log_probs_per_row", """
@helion.kernel()
def k(log_p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    m, n = log_p.size()
    out = torch.empty([m], dtype=torch.float32, device=log_p.device)
    for tile in hl.tile(m):
        qs = q[tile, :]
        out[tile] = (qs * (torch.log(qs) - log_p[tile, :])).sum(-1)
    return out
""", lambda: (torch.log_softmax(f(19, 33), -1), torch.softmax(f(19, 33), -1)),
     lambda lp, q: F.kl_div(lp, q, reduction="none").sum(-1)),
    ("sum_over_two_tile_dims", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.shape
    out = torch.zeros([b], dtype=torch.float32, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([b, m, n]):
        hl.atomic_add(out, [tile_b], x[tile_b, tile_m, tile_n].sum(dim=(1, 2)))
    return out
""", lambda: (f(3, 37, 29),), lambda x: x.sum((1, 2))),
    ("row_slices_inside_the_loop", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    half = n // 2
    out = torch.empty([m, half], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        out[tile, :] = F.silu(x[tile, :half]) * x[tile, half:]
    return out
""", lambda: (f(19, 46),), lambda x: F.silu(x[:, :23]) * x[:, 23:]),
]  # fmt: skip


# float32 products: TF32 on a GPU (Triton's default for tl.dot), so a product's tolerance there
PRODUCTS = {
    "addmm_with_a_bias_row_whole_k",
    "addmm_with_a_column_of_row_biases",
    "baddbmm_with_a_bias_row",
    "functional_linear_with_bias",
}


@pytest.mark.parametrize(
    ("name", "source", "make", "truth"), [pytest.param(*row, id=row[0]) for row in CASES]
)
def test_the_spelling_computes_as_torch(name, source, make, truth):
    bound = dot_tolerance(torch.float32) if name in PRODUCTS and DEVICE == "cuda" else None
    assert_computes_as_torch(HEADER + source, make, truth, bound=bound)


CHUNKED = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m, n // 2], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        gate, up = x[tile, :].chunk(2, dim=-1)
        out[tile, :] = F.silu(gate) * up
    return out
"""


def test_chunk_is_refused_at_its_column_with_the_slices():
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile(HEADER + CHUNKED)
    text = str(caught.value)
    assert ":12:31:" in text and "x[tile, :h], x[tile, h:]" in text
