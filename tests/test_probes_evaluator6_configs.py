"""Evaluator-style probes of model kernels under explicit configs (round 6): rows walked in
chunks (`reduction_loops=`) for layer norm with weight and bias, softmax with a temperature,
cross-entropy with an ignore index, RMS norm into float16; matmul epilogues under small block
sizes, `l2_groupings`, `loop_orders` and persistent programs; Welford statistics over inner
column tiles; each against float64 torch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE
from torch_answers import HEADER, assert_computes_as_torch, f, h


def ignoring(n, classes):
    target = torch.randint(0, classes, (n,), device=DEVICE)
    target[1::5] = -100
    return target


MATMUL_EPILOGUE = """
@helion.kernel(config=CONFIG)
def k(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
    m, kk = x.size()
    n = w.size(1)
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            acc = torch.addmm(acc, x[tile_m, tile_k], w[tile_k, tile_n])
        acc = F.silu(acc + bias[tile_n]) * residual[tile_m, tile_n].float()
        out[tile_m, tile_n] = acc.to(torch.float16)
    return out
"""


def matmul_epilogue(config):
    return MATMUL_EPILOGUE.replace("CONFIG", config)


def epilogue_args():
    return h(37, 129), h(129, 45), f(45), h(37, 45)


def epilogue_truth(x, w, b, r):
    return F.silu(x @ w + b) * r


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("layer_norm_in_row_chunks", """
@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[32]))
def k(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        mean = row.mean(-1, keepdim=True)
        var = ((row - mean) ** 2).mean(-1, keepdim=True)
        y = (row - mean) * torch.rsqrt(var + eps)
        out[tile_m, :] = (y * weight[:].float() + bias[:].float()).to(x.dtype)
    return out
""", lambda: (h(13, 129) * 3, h(129), h(129), 1e-5),
     lambda x, w, b, e: F.layer_norm(x, (129,), w, b, e)),
    ("softmax_with_temperature_in_row_chunks", """
@helion.kernel(config=helion.Config(block_sizes=[4], reduction_loops=[64]))
def k(x: torch.Tensor, temperature: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = torch.softmax(x[tile, :] / temperature, dim=-1)
    return out
""", lambda: (f(11, 257) * 3, 0.5), lambda x, t: torch.softmax(x / t, -1)),
    ("cross_entropy_with_ignore_index_in_row_chunks", """
@helion.kernel(config=helion.Config(block_sizes=[4], reduction_loops=[32]))
def k(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    loss = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile in hl.tile(n):
        labels = target[tile]
        valid = labels != -100
        safe = torch.where(valid, labels, 0)
        rows = logits[tile, :].float()
        lse = torch.logsumexp(rows, dim=-1)
        picked = torch.gather(rows, 1, safe.unsqueeze(1)).squeeze(1)
        loss[tile] = torch.where(valid, lse - picked, 0.0)
    return loss
""", lambda: (f(37, 101), ignoring(37, 101)),
     lambda x, t: F.cross_entropy(x, t, ignore_index=-100, reduction="none")),
    ("rms_norm_to_half_in_row_chunks", """
@helion.kernel(config=helion.Config(block_sizes=[1], reduction_loops=[16]))
def k(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.float16, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        inv = torch.rsqrt(torch.mean(row * row, dim=-1) + 1e-6)
        out[tile_m, :] = (row * inv[:, None] * weight[:]).to(torch.float16)
    return out
""", lambda: (f(9, 100), f(100)),
     lambda x, w: x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-6) * w),
    ("log_softmax_in_row_chunks", """
@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        row = x[tile, :]
        out[tile, :] = row - row.amax(-1, keepdim=True) - torch.log(torch.exp(row - row.amax(-1, keepdim=True)).sum(-1, keepdim=True))
    return out
""", lambda: (f(7, 300) * 4,), lambda x: torch.log_softmax(x, -1)),
    ("matmul_epilogue_small_blocks", matmul_epilogue("helion.Config(block_sizes=[16, 16, 16])"),
     epilogue_args, epilogue_truth),
    ("matmul_epilogue_l2_grouping", matmul_epilogue(
        "helion.Config(block_sizes=[16, 16, 32], l2_groupings=[4], num_warps=4)"),
     epilogue_args, epilogue_truth),
    ("matmul_epilogue_loop_order", matmul_epilogue(
        "helion.Config(block_sizes=[32, 16, 16], loop_orders=[[1, 0]])"),
     epilogue_args, epilogue_truth),
    ("matmul_epilogue_persistent", matmul_epilogue(
        "helion.Config(block_sizes=[16, 32, 16], pid_type='persistent_interleaved')"),
     epilogue_args, epilogue_truth),
    ("matmul_epilogue_persistent_blocked", matmul_epilogue(
        "helion.Config(block_sizes=[16, 16, 64], pid_type='persistent_blocked')"),
     epilogue_args, epilogue_truth),
    ("welford_over_column_tiles", """
@helion.kernel(config=helion.Config(block_sizes=[8, 32]))
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    mean_out = torch.empty([m], dtype=torch.float32, device=x.device)
    var_out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        count = hl.zeros([tile_m], dtype=torch.float32)
        mean = hl.zeros([tile_m], dtype=torch.float32)
        m2 = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            chunk = x[tile_m, tile_n].to(torch.float32)
            width = (tile_n.end - tile_n.begin) * 1.0
            chunk_mean = chunk.sum(-1) / width
            chunk_m2 = ((chunk - chunk_mean[:, None]) * (chunk - chunk_mean[:, None]) * (tile_n.index < n)[None, :]).sum(-1)
            total = count + width
            delta = chunk_mean - mean
            mean = mean + delta * width / total
            m2 = m2 + chunk_m2 + delta * delta * count * width / total
            count = total
        mean_out[tile_m] = mean
        var_out[tile_m] = m2 / count
    return mean_out, var_out
""", lambda: (h(21, 111) * 5 + 1,), lambda x: (x.mean(-1), x.var(-1, unbiased=False))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_configured_kernel_computes_as_torch(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth)
