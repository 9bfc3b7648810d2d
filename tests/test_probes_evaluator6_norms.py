"""Evaluator-style probes of reductions as model code writes them (round 6): layer norm and RMS
norm forward with weight, bias and eps as an argument (returning the statistics too), softmax
with a temperature, log-softmax spelled out, cross-entropy with the labels' logits gathered by
`x[rows, labels[rows]]` and by `torch.gather`, mean / var over the last dim, two passes over
columns with inner `hl.tile` loops, `hl.register_reduction_dim`, `hl.specialize`, sizes from
`x.shape[0]` / `x.size(-1)` / `*batch, n = x.shape`, inputs transposed or sliced in host code,
sums by `hl.atomic_add`; each against float64 torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE
from torch_answers import HEADER, assert_computes_as_torch, assert_refused_at, f


def h(*shape):
    return torch.randn(*shape, device=DEVICE).half()


def labels(n, classes):
    return torch.randint(0, classes, (n,), device=DEVICE)


def layer_norm_with_statistics(x, w, b, eps):
    mean = x.mean(-1)
    rstd = torch.rsqrt(x.var(-1, unbiased=False) + eps)
    return F.layer_norm(x, (x.size(-1),), w, b, eps), mean, rstd


def rms_norm(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def cross_entropy_rows(logits, target):
    return F.cross_entropy(logits, target, reduction="none")


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("layer_norm_returning_mean_and_rstd", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    m, n = x.size()
    out = torch.empty_like(x)
    mean = torch.empty([m], dtype=torch.float32, device=x.device)
    rstd = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        mu = torch.sum(row, dim=-1) / n
        centered = row - mu[:, None]
        var = torch.sum(centered * centered, dim=-1) / n
        inv = torch.rsqrt(var + eps)
        normed = centered * inv[:, None]
        out[tile_m, :] = (normed * weight[:].float() + bias[:].float()).to(out.dtype)
        mean[tile_m] = mu
        rstd[tile_m] = inv
    return out, mean, rstd
""", lambda: (h(37, 129), h(129), h(129), 1e-5), layer_norm_with_statistics),
    ("layer_norm_by_var_mean_eps_1e_3", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.shape[0]):
        row = x[tile, :]
        mu = row.mean(dim=-1, keepdim=True)
        var = row.var(dim=-1, keepdim=True, unbiased=False)
        out[tile, :] = (row - mu) / torch.sqrt(var + eps) * weight[:] + bias[:]
    return out
""", lambda: (f(29, 257), f(257), f(257), 1e-3),
     lambda x, w, b, e: F.layer_norm(x, (257,), w, b, e)),
    ("rms_norm_half_in_float32_math", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        ms = torch.mean(row * row, dim=-1, keepdim=True)
        out[tile_m, :] = (row * torch.rsqrt(ms + eps) * weight[None, :].to(torch.float32)).to(x.dtype)
    return out
""", lambda: (h(33, 200), h(200), 1e-6), rms_norm),
    ("rms_norm_of_batch_star_unpacked", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
    *batch, n = x.shape
    flat = x.reshape(-1, n)
    out = torch.empty_like(flat)
    for tile in hl.tile(flat.size(0)):
        row = flat[tile, :]
        out[tile, :] = row * torch.rsqrt(row.pow(2).mean(-1, keepdim=True) + eps) * weight[None, :]
    return out.view(*batch, n)
""", lambda: (f(3, 5, 37), f(37), 1e-5), rms_norm),
    ("softmax_with_temperature", """
@helion.kernel()
def k(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    rows = logits.size(0)
    probs = torch.empty_like(logits)
    for tile in hl.tile(rows):
        probs[tile, :] = torch.softmax(logits[tile, :] / temperature, dim=-1)
    return probs
""", lambda: (f(19, 129), 0.7), lambda x, t: torch.softmax(x / t, dim=-1)),
    ("softmax_by_functional_half", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = F.softmax(x[tile, :].float(), dim=1).to(x.dtype)
    return out
""", lambda: (h(21, 77),), lambda x: torch.softmax(x, dim=1)),
    ("log_softmax_spelled_out", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        shifted = row - torch.amax(row, dim=-1, keepdim=True)
        out[tile_m, :] = shifted - torch.log(torch.sum(torch.exp(shifted), dim=-1, keepdim=True))
    return out
""", lambda: (f(23, 130) * 4,), lambda x: torch.log_softmax(x, dim=-1)),
    ("log_softmax_functional", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m, :] = F.log_softmax(x[tile_m, :], dim=-1)
    return out
""", lambda: (f(23, 37) * 3,), lambda x: torch.log_softmax(x, dim=-1)),
    ("cross_entropy_labels_by_paired_index", """
@helion.kernel()
def k(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    loss = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile in hl.tile(n):
        rows = logits[tile, :].to(torch.float32)
        lse = torch.logsumexp(rows, dim=-1)
        picked = logits[tile.index, target[tile]].to(torch.float32)
        loss[tile] = lse - picked
    return loss
""", lambda: (f(37, 101), labels(37, 101)), cross_entropy_rows),
    ("cross_entropy_by_gather_then_mean", """
@helion.kernel()
def k(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile in hl.tile(n):
        rows = logits[tile, :]
        top = torch.max(rows, dim=-1, keepdim=True).values
        lse = top.squeeze(-1) + torch.log(torch.exp(rows - top).sum(-1))
        picked = torch.gather(rows, 1, target[tile].unsqueeze(1)).squeeze(1)
        losses[tile] = lse - picked
    return losses.mean()
""", lambda: (h(41, 64), labels(41, 64)),
     lambda x, t: F.cross_entropy(x, t)),
    ("mean_and_var_over_the_last_dim", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m = x.size(0)
    mean = torch.empty([m], dtype=x.dtype, device=x.device)
    var = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        mean[tile] = x[tile, :].mean(-1)
        var[tile] = x[tile, :].var(-1)
    return mean, var
""", lambda: (f(31, 45) + 2.0,), lambda x: (x.mean(-1), x.var(-1))),
    ("two_passes_over_columns_in_inner_tiles", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        total = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            total += x[tile_m, tile_n].to(torch.float32).sum(dim=1)
        mean = total / n
        sq = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            d = x[tile_m, tile_n].to(torch.float32) - mean[:, None]
            sq = sq + (d * d).sum(dim=1)
        rstd = torch.rsqrt(sq / n + 1e-5)
        for tile_n in hl.tile(n):
            out[tile_m, tile_n] = ((x[tile_m, tile_n] - mean[:, None]) * rstd[:, None]).to(out.dtype)
    return out
""", lambda: (h(19, 300),), lambda x: F.layer_norm(x, (300,), eps=1e-5)),
    ("online_softmax_in_inner_tiles", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    block_n = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        run_max = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        run_sum = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_n):
            block = x[tile_m, tile_n]
            new_max = torch.maximum(run_max, torch.amax(block, dim=1))
            run_sum = run_sum * torch.exp(run_max - new_max) + torch.exp(block - new_max[:, None]).sum(1)
            run_max = new_max
        for tile_n in hl.tile(n, block_size=block_n):
            out[tile_m, tile_n] = torch.exp(x[tile_m, tile_n] - run_max[:, None]) / run_sum[:, None]
    return out
""", lambda: (f(13, 257) * 3,), lambda x: torch.softmax(x, -1)),
    ("register_reduction_dim_row_sums", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    n = hl.register_reduction_dim(n)
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, n], dtype=torch.float32)
        acc += x[tile_m, :]
        acc = acc * acc
        out[tile_m] = acc.sum(-1)
    return out
""", lambda: (f(21, 45),), lambda x: (x * x).sum(-1)),
    ("specialized_width_zeros_then_sum", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    d = hl.specialize(x.size(-1))
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        acc = acc + x[tile_m, :].abs()
        out[tile_m] = acc.amax(dim=-1)
    return out
""", lambda: (f(25, 48),), lambda x: x.abs().amax(-1)),
    ("layer_norm_of_a_transposed_input", """
@helion.kernel()
def k(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        mu = row.mean(-1, keepdim=True)
        var = ((row - mu) ** 2).mean(-1, keepdim=True)
        out[tile_m, :] = (row - mu) * torch.rsqrt(var + eps) * weight[:][None, :] + bias[:]
    return out
""", lambda: (f(65, 19).t(), f(65), f(65), 1e-5),
     lambda x, w, b, e: F.layer_norm(x, (65,), w, b, e)),
    ("row_sums_of_a_host_slice", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    inner = x[1:, 2:-1]
    m, n = inner.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        out[tile] = inner[tile, :].sum(-1) / n
    return out
""", lambda: (f(30, 40),), lambda x: x[1:, 2:-1].mean(-1)),
    ("column_sums_by_atomic_add", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        hl.atomic_add(out, [tile_n], x[tile_m, tile_n].sum(0))
    return out
""", lambda: (f(77, 37),), lambda x: x.sum(0)),
    ("class_counts_by_atomic_add", """
@helion.kernel()
def k(target: torch.Tensor, weight: torch.Tensor, classes: int) -> torch.Tensor:
    (n,) = target.shape
    totals = torch.zeros([classes], dtype=torch.float32, device=weight.device)
    for tile in hl.tile(n):
        hl.atomic_add(totals, [target[tile]], weight[tile])
    return totals
""", lambda: (labels(129, 7), f(129), 7),
     lambda t, w, c: torch.zeros(c, dtype=torch.float64).index_add_(0, t, w)),
    ("mse_per_row_and_total", """
@helion.kernel()
def k(pred: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = pred.size()
    per_row = torch.empty([m], dtype=torch.float32, device=pred.device)
    total = torch.zeros([1], dtype=torch.float32, device=pred.device)
    for tile in hl.tile(m):
        err = (pred[tile, :].float() - target[tile, :].float()) ** 2
        row_mean = err.mean(dim=1)
        per_row[tile] = row_mean
        hl.atomic_add(total, [0], row_mean.sum() / m)
    return per_row, total
""", lambda: (h(37, 50), h(37, 50)),
     lambda p, t: (((p - t) ** 2).mean(1), ((p - t) ** 2).mean(1).mean().reshape(1))),
    ("masked_mean_over_tokens", """
@helion.kernel()
def k(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    b, s, d = x.shape
    out = torch.empty([b, d], dtype=x.dtype, device=x.device)
    for tile_b, tile_d in hl.tile([b, d]):
        keep = mask[tile_b, :].to(x.dtype)
        summed = (x[tile_b, :, tile_d] * keep[:, :, None]).sum(dim=1)
        out[tile_b, tile_d] = summed / keep.sum(dim=1)[:, None].clamp(min=1.0)
    return out
""", lambda: (f(3, 11, 37), torch.rand(3, 11, device=DEVICE) > 0.3),
     lambda x, m: (x * m[:, :, None]).sum(1) / m.sum(1, keepdim=True).clamp(min=1)),
    ("per_row_int8_quantization", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.shape
    q = torch.empty([m, n], dtype=torch.int8, device=x.device)
    scales = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile in hl.tile(m):
        row = x[tile, :].float()
        scale = row.abs().amax(dim=-1).clamp(min=1e-6) / 127.0
        q[tile, :] = torch.round(row / scale[:, None]).clamp(-127, 127).to(torch.int8)
        scales[tile] = scale
    return q, scales
""", lambda: (f(29, 67),), lambda x: (
        torch.round(x / (x.abs().amax(-1, keepdim=True).clamp(min=1e-6) / 127.0)).clamp(-127, 127),
        x.abs().amax(-1).clamp(min=1e-6) / 127.0)),
    ("residual_add_then_rms_norm_both_returned", """
@helion.kernel()
def k(x: torch.Tensor, residual: torch.Tensor, weight: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    out = torch.empty_like(x)
    new_residual = torch.empty_like(x)
    for tile in hl.tile(m):
        summed = x[tile, :].float() + residual[tile, :].float()
        new_residual[tile, :] = summed.to(x.dtype)
        var = summed.pow(2).mean(-1, keepdim=True)
        out[tile, :] = (summed * torch.rsqrt(var + eps)).to(x.dtype) * weight[None, :]
    return out, new_residual
""", lambda: (h(17, 96), h(17, 96), h(96), 1e-6),
     lambda x, r, w, e: (rms_norm(x + r, w, e), x + r)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_reduction_computes_as_torch(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth)


REFUSED_KERNEL = """
@helion.kernel()
def k(logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    loss = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile in hl.tile(n):
        STATEMENT
    return loss
"""
# (name, the statement, the text the caret is under, error class, words of the message, hint)
REFUSED = [
    # a tile beside an index block crosses them, as torch's slice beside a tensor: a t × t block
    ("labels_beside_a_tile_cross", "loss[tile] = logits[tile, target[tile]]",
     "loss[tile]", "ShapeError", "storing a 2-D value into a 1-D tile",
     "x[tile.index, idx[tile]]"),
    ("whole_weight_used_as_a_value", "loss[tile] = (logits[tile, :] * weight).sum(-1)",
     "weight", "ShapeError", "the whole tensor 'weight' used as a value", "load a tile of it"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("statement", "caret", "kind", "message", "hint"),
    [pytest.param(*row[1:], id=row[0]) for row in REFUSED],
)
def test_refused_at_the_users_line(statement, caret, kind, message, hint):
    source = HEADER + REFUSED_KERNEL.replace("STATEMENT", statement)
    assert_refused_at(source, 12, caret, f"{kind}:", message, hint)
