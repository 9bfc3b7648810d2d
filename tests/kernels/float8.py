"""Float8 kernels: scaled products, quantising and dequantising, an attention of two products."""

from __future__ import annotations

import helion
import helion.language as hl
import torch


@helion.kernel()
def scaled_float8_matmul(
    x: torch.Tensor, y: torch.Tensor, x_scale: torch.Tensor, y_scale: torch.Tensor
) -> torch.Tensor:
    # e4m3 tiles multiplied as stored (`@`), a float32 sum, row and column scales after
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + x[tile_m, tile_k] @ y[tile_k, tile_n]
        out[tile_m, tile_n] = acc * x_scale[tile_m, None] * y_scale[None, tile_n]
    return out


@helion.kernel()
def quantize_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # each row scaled so that its largest magnitude is e4m3's largest value, then rounded
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.float8_e4m3fn, device=x.device)
    scales = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        amax = torch.amax(row.abs(), dim=-1)
        out[tile_m, :] = (row * (448.0 / amax)[:, None]).to(torch.float8_e4m3fn)
        scales[tile_m] = amax / 448.0
    return out, scales


@helion.kernel()
def dequantize_to_e5m2(q: torch.Tensor, scales: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    # float8 read as float32 (torch has no float8 arithmetic), the result rounded to e5m2
    m, n = q.size()
    out = torch.empty([m, n], dtype=torch.float8_e5m2, device=q.device)
    for tile_m, tile_n in hl.tile([m, n]):
        values = q[tile_m, tile_n].to(torch.float32) * scales[tile_m, None]
        out[tile_m, tile_n] = (values + bias[None, tile_n]).to(torch.float8_e5m2)
    return out


@helion.kernel()
def float8_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scale: float
) -> torch.Tensor:
    # scores from e4m3 factors; probabilities rounded to e5m2 and multiplied by e4m3 values
    m, d = q.size()
    n, _ = k.size()
    out = torch.empty([m, d], dtype=torch.float16, device=q.device)
    for tile_m in hl.tile(m):
        row_max = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        row_sum = hl.zeros([tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_m, d], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=32):
            scores = torch.matmul(q[tile_m, :], k[tile_n, :].T) * scale
            new_max = torch.maximum(row_max, scores.amax(dim=-1))
            p = torch.exp(scores - new_max[:, None])
            correction = torch.exp(row_max - new_max)
            row_sum = row_sum * correction + p.sum(dim=-1)
            acc = acc * correction[:, None]
            acc = hl.dot(p.to(torch.float8_e5m2), v[tile_n, :], acc=acc)
            row_max = new_max
        out[tile_m, :] = (acc / row_sum[:, None]).to(out.dtype)
    return out
