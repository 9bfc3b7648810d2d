"""Matrix kernels: matmul in its spellings, epilogues, split-K, bmm, embedding, attention."""

import helion
import helion.language as hl
import torch
from helion.autotuner import PowerOfTwoFragment


@helion.kernel()
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(x.dtype)
    return out


@helion.kernel()
def matmul_bias_relu(x: torch.Tensor, y: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += x[tile_m, tile_k] @ y[tile_k, tile_n]
        out[tile_m, tile_n] = torch.relu(acc + bias[tile_n]).to(out.dtype)
    return out


@helion.kernel()
def matmul_dot(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            a = x[tile_m, tile_k]
            b = y[tile_k, tile_n] * 2.0
            acc = hl.dot(a, b, acc=acc)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def matmul_split_k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.zeros([m, n], dtype=torch.float32, device=x.device)
    split = 4
    k_block = helion.next_power_of_2(helion.cdiv(k, split))
    for tile_m, tile_n, outer_k in hl.tile([m, n, k], block_size=[None, None, k_block]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for inner_k in hl.tile(outer_k.begin, outer_k.end):
            acc = torch.addmm(acc, x[tile_m, inner_k], y[inner_k, tile_n])
        hl.atomic_add(out, [tile_m, tile_n], acc)
    return out


@helion.kernel()
def bmm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    batch, m, k = a.size()
    _, _, n = b.size()
    out = torch.empty([batch, m, n], dtype=a.dtype, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(acc, a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc.to(a.dtype)
    return out


@helion.kernel()
def embedding(ids: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    n = ids.size(0)
    _, dim = weight.size()
    out = torch.empty([n, dim], dtype=weight.dtype, device=weight.device)
    for tile_i, tile_d in hl.tile([n, dim]):
        out[tile_i, tile_d] = weight[ids[tile_i], tile_d]
    return out


@helion.kernel()
def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    heads, m, d = q.size()
    n = k.size(1)
    scale = 1.0 / d**0.5
    out = torch.empty_like(q)
    for h in hl.grid(heads):
        for tile_m in hl.tile(m):
            row_max = hl.full([tile_m], float("-inf"), dtype=torch.float32)
            row_sum = hl.zeros([tile_m], dtype=torch.float32)
            acc = hl.zeros([tile_m, d], dtype=torch.float32)
            queries = q[h, tile_m, :]
            for tile_n in hl.tile(n):
                scores = torch.matmul(queries, k[h, tile_n, :].T) * scale
                scores = torch.where(tile_n.index[None, :] < n, scores, float("-inf"))
                new_max = torch.maximum(row_max, torch.amax(scores, dim=1))
                probabilities = torch.exp(scores - new_max[:, None])
                correction = torch.exp(row_max - new_max)
                row_sum = row_sum * correction + torch.sum(probabilities, dim=1)
                acc = acc * correction[:, None] + torch.matmul(
                    probabilities.to(v.dtype), v[h, tile_n, :]
                )
                row_max = new_max
            out[h, tile_m, :] = (acc / row_sum[:, None]).to(out.dtype)
    return out


@helion.kernel()
def attention_batched(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    batch, m, d = q.size()
    n = k.size(1)
    scale = 1.0 / d**0.5
    out = torch.empty_like(q)
    for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):
        row_max = hl.full([tile_b, tile_m], float("-inf"), dtype=torch.float32)
        row_sum = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_m, d], dtype=torch.float32)
        queries = q[tile_b, tile_m, :]
        for tile_n in hl.tile(n):
            scores = torch.bmm(queries, k[tile_b, tile_n, :].transpose(1, 2)) * scale
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
def matmul_tunable(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.zeros([m, n], dtype=torch.float32, device=x.device)
    split_k = hl.register_tunable("split_k", PowerOfTwoFragment(1, 16, 2))
    block_k = hl.register_block_size(16, 64)
    k_block = helion.next_power_of_2(helion.cdiv(k, split_k))
    for tile_m, tile_n, outer_k in hl.tile([m, n, k], block_size=[None, None, k_block]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for inner_k in hl.tile(outer_k.begin, outer_k.end, block_size=block_k):
            acc = torch.addmm(acc, x[tile_m, inner_k], y[inner_k, tile_n])
        hl.atomic_add(out, [tile_m, tile_n], acc)
    return out


@helion.kernel()
def broadcast_matmul(a: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    batch, m, k = a.size()
    _, n = w.size()
    out = torch.empty([batch, m, n], dtype=a.dtype, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([batch, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += torch.matmul(a[tile_b, tile_m, tile_k], w[tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc.to(out.dtype)
    return out


@helion.kernel()
def concatenate(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n1 = x.size()
    _, n2 = y.size()
    out = torch.empty([m, n1 + n2], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n1 + n2]):
        from_x = tile_n.index < n1
        xs = hl.load(x, [tile_m, tile_n.index], extra_mask=from_x[None, :])
        ys = hl.load(y, [tile_m, tile_n.index - n1], extra_mask=~from_x[None, :])
        out[tile_m, tile_n] = torch.where(from_x[None, :], xs, ys)
    return out
