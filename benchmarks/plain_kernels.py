"""Kernels in the spelling a user writes first (the benchmark's "plain" rows): whole rows as
method calls, `.T` inside the kernel, batch and heads folded and indexed by `tile.begin`, a
host-side `.mean()` after the loop. Nothing here is tuned for the transpiler."""

from __future__ import annotations

import math

import helion
import helion.language as hl
import torch


@helion.kernel()
def softmax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        row = row - row.amax(dim=-1, keepdim=True)
        e = row.exp()
        out[tile_m, :] = (e / e.sum(dim=-1, keepdim=True)).to(x.dtype)
    return out


@helion.kernel()
def layer_norm(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5
) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        mean = row.mean(dim=-1, keepdim=True)
        var = row.var(dim=-1, unbiased=False, keepdim=True)
        y = (row - mean) / torch.sqrt(var + eps)
        out[tile_m, :] = (y * weight[:].float() + bias[:].float()).to(x.dtype)
    return out


@helion.kernel()
def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        row = row * torch.rsqrt(row.pow(2).mean(-1, keepdim=True) + eps)
        out[tile_m, :] = (row * weight[:].float()).to(x.dtype)
    return out


@helion.kernel()
def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        lse = torch.logsumexp(row, dim=-1)
        target = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
        losses[tile_n] = lse - target
    return losses.mean()


@helion.kernel()
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.shape
    _, n = y.shape
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += x[tile_m, tile_k] @ y[tile_k, tile_n]
        out[tile_m, tile_n] = acc.to(x.dtype)
    return out


@helion.kernel()
def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    bh, m, d = q.shape
    n = k.shape[1]
    scale = 1.0 / math.sqrt(d)
    out = torch.empty_like(q)
    for tile_bh, tile_m in hl.tile([bh, m], block_size=[1, None]):
        b = tile_bh.begin
        queries = q[b, tile_m, :]
        m_i = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.zeros([tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        for tile_n in hl.tile(n):
            s = (queries @ k[b, tile_n, :].T).float() * scale
            m_new = torch.maximum(m_i, s.amax(dim=-1))
            p = torch.exp(s - m_new[:, None])
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + p.sum(dim=-1)
            acc = acc * alpha[:, None] + p.to(v.dtype) @ v[b, tile_n, :]
            m_i = m_new
        out[b, tile_m, :] = (acc / l_i[:, None]).to(out.dtype)
    return out
