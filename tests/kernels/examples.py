"""Our own Helion-style versions of kernels Helion ships as examples (written from their names)."""

from collections.abc import Callable

import helion
import helion.language as hl
import torch

# What Helion's matmul takes as `epilogue`: (accumulator, (tile_m, tile_n)) -> tile of out.
Epilogue = Callable[[torch.Tensor, tuple[torch.Tensor, ...]], torch.Tensor]


@helion.kernel()
def geglu(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(a)
    for tile in hl.tile(a.size()):
        out[tile] = torch.nn.functional.gelu(a[tile], approximate="tanh") * b[tile]
    return out


@helion.kernel()
def swiglu(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(a)
    for tile in hl.tile(a.size()):
        out[tile] = torch.nn.functional.silu(a[tile].to(torch.float32)) * b[tile]
    return out


@helion.kernel()
def kl_div(log_q: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    n, v = log_q.size()
    losses = torch.empty([n], dtype=torch.float32, device=p.device)
    for tile_n in hl.tile(n):
        target = p[tile_n, :]
        pointwise = torch.where(target > 0, target * (torch.log(target) - log_q[tile_n, :]), 0.0)
        losses[tile_n] = pointwise.sum(dim=1)
    return losses


@helion.kernel()
def jsd(log_p: torch.Tensor, log_q: torch.Tensor, beta: float = 0.5) -> torch.Tensor:
    n, v = log_p.size()
    losses = torch.empty([n], dtype=torch.float32, device=log_p.device)
    for tile_n in hl.tile(n):
        lp = log_p[tile_n, :]
        lq = log_q[tile_n, :]
        mixture = beta * torch.exp(lp) + (1 - beta) * torch.exp(lq)
        log_m = torch.log(mixture)
        terms = beta * torch.exp(lp) * (lp - log_m) + (1 - beta) * torch.exp(lq) * (lq - log_m)
        losses[tile_n] = terms.sum(dim=1)
    return losses


@helion.kernel()
def welford_layer_norm(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5
) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        count = hl.zeros([tile_m], dtype=torch.float32)
        mean = hl.zeros([tile_m], dtype=torch.float32)
        m2 = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            chunk = x[tile_m, tile_n].to(torch.float32)
            chunk_count = (tile_n.end - tile_n.begin) * 1.0
            chunk_mean = chunk.sum(dim=1) / chunk_count
            centered = torch.where(tile_n.index[None, :] < n, chunk - chunk_mean[:, None], 0.0)
            chunk_m2 = (centered * centered).sum(dim=1)
            total = count + chunk_count
            delta = chunk_mean - mean
            mean = mean + delta * chunk_count / total
            m2 = m2 + chunk_m2 + delta * delta * count * chunk_count / total
            count = total
        rstd = torch.rsqrt(m2 / count + eps)
        for tile_n in hl.tile(n):
            chunk = x[tile_m, tile_n].to(torch.float32)
            normalized = (chunk - mean[:, None]) * rstd[:, None]
            out[tile_m, tile_n] = (normalized * weight[tile_n] + bias[tile_n]).to(out.dtype)
    return out


@helion.kernel()
def matmul_layer_norm(
    x: torch.Tensor, y: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor
) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, :])
        mean = acc.mean(dim=-1, keepdim=True)
        centered = acc - mean
        var = (centered * centered).mean(dim=-1, keepdim=True)
        normalized = centered * torch.rsqrt(var + 1e-5)
        out[tile_m, :] = (normalized * weight[:] + bias[:]).to(out.dtype)
    return out


@helion.kernel()
def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    batch, m, d = q.size()
    scale = 1.0 / d**0.5
    out = torch.empty_like(q)
    for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):
        row_max = hl.full([tile_b, tile_m], float("-inf"), dtype=torch.float32)
        row_sum = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_m, d], dtype=torch.float32)
        queries = q[tile_b, tile_m, :]
        for tile_n in hl.tile(0, tile_m.end):
            scores = torch.bmm(queries, k[tile_b, tile_n, :].transpose(1, 2)) * scale
            visible = tile_m.index[:, None] >= tile_n.index[None, :]
            scores = torch.where(visible[None, :, :], scores, float("-inf"))
            new_max = torch.maximum(row_max, torch.amax(scores, dim=-1))
            probabilities = torch.exp(scores - new_max[:, :, None])
            correction = torch.exp(row_max - new_max)
            row_sum = row_sum * correction + probabilities.sum(dim=-1)
            acc = torch.baddbmm(
                acc * correction[:, :, None], probabilities.to(v.dtype), v[tile_b, tile_n, :]
            )
            row_max = new_max
        out[tile_b, tile_m, :] = (acc / row_sum[:, :, None]).to(out.dtype)
    return out


@helion.kernel()
def squeeze_excitation(x: torch.Tensor, w1: torch.Tensor, w2: torch.Tensor) -> torch.Tensor:
    b, c = x.size()
    _, r = w1.size()
    out = torch.empty_like(x)
    for tile_b in hl.tile(b):
        rows = x[tile_b, :]
        hidden = torch.relu(torch.matmul(rows, w1[:, :]))
        gate = torch.sigmoid(torch.matmul(hidden, w2[:, :]))
        out[tile_b, :] = (rows * gate).to(out.dtype)
    return out


@helion.kernel()
def complex_multiply(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Element-wise product of complex numbers stored as (real, imaginary) pairs: [n, 2]."""
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        x_real, x_imag = hl.split(x[tile, :])
        y_real, y_imag = hl.split(y[tile, :])
        real = x_real * y_real - x_imag * y_imag
        imag = x_real * y_imag + x_imag * y_real
        out[tile, :] = hl.join(real, imag)
    return out


@helion.kernel()
def matmul(
    x: torch.Tensor,
    y: torch.Tensor,
    epilogue: Epilogue = lambda acc, tile: acc,
) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.promote_types(x.dtype, y.dtype), device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = epilogue(acc, (tile_m, tile_n))
    return out


@helion.kernel()
def low_mem_dropout(p: float, x: torch.Tensor, seed: int) -> torch.Tensor:
    # The mask is never stored: each element draws its own number from (seed, its index).
    out = torch.empty_like(x)
    scale = 1.0 / (1.0 - p)
    for tile in hl.tile(x.size()):
        keep = hl.rand([tile], seed=seed) > p
        out[tile] = torch.where(keep, x[tile] * scale, 0.0)
    return out
