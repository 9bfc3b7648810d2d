"""Benchmark kernels the test suite does not hold yet: matmul and attention, as Helion writes them."""

import math

import helion
import helion.language as hl
import torch


@helion.kernel()
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


@helion.kernel()
def attention(q_in: torch.Tensor, k_in: torch.Tensor, v_in: torch.Tensor) -> torch.Tensor:
    m_dim = q_in.size(-2)
    n_dim = k_in.size(-2)
    head_dim = hl.specialize(q_in.size(-1))
    q_view = q_in.reshape([-1, m_dim, head_dim])
    v_view = v_in.reshape([-1, n_dim, head_dim])
    k_view = k_in.reshape([-1, n_dim, head_dim]).transpose(1, 2)
    out = torch.empty_like(q_view)
    sm_scale = 1.0 / math.sqrt(head_dim)
    qk_scale = sm_scale * 1.44269504  # 1 / ln(2): exp2 instead of exp
    for tile_b, tile_m in hl.tile([q_view.size(0), m_dim], block_size=[1, None]):
        m_i = hl.full([tile_b, tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.full([tile_b, tile_m], 1.0, dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_m, head_dim], dtype=torch.float32)
        q = q_view[tile_b, tile_m, :]
        for tile_n in hl.tile(v_view.size(1)):
            k = k_view[tile_b, :, tile_n]
            qk = torch.bmm(q, k)
            m_ij = torch.maximum(m_i, torch.amax(qk, -1) * qk_scale)
            qk = qk * qk_scale - m_ij[:, :, None]
            p = torch.exp2(qk)
            l_ij = torch.sum(p, -1)
            alpha = torch.exp2(m_i - m_ij)
            l_i = l_i * alpha + l_ij
            acc = acc * alpha[:, :, None]
            v = v_view[tile_b, tile_n, :]
            p = p.to(v.dtype)
            acc = torch.baddbmm(acc, p, v)
            m_i = m_ij
        m_i += torch.log2(l_i)
        acc = acc / l_i[:, :, None]
        out[tile_b, tile_m, :] = acc.to(out.dtype)
    return out.view(q_in.size())


@helion.kernel()
def cross_entropy_online(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """One pass over each row in chunks: a running max and a running sum of exponentials
    (rescaled when the max grows), so a program holds one chunk, not a whole row."""
    n, v = logits.shape
    losses = torch.empty([n], dtype=torch.float32, device=logits.device)
    logits_flat = logits.view(-1)
    for tile_n in hl.tile(n):
        running_max = hl.full([tile_n], float("-inf"), dtype=torch.float32)
        running_sum = hl.zeros([tile_n], dtype=torch.float32)
        for tile_v in hl.tile(v):
            chunk = logits[tile_n, tile_v].float()
            new_max = torch.maximum(running_max, chunk.amax(dim=1))
            rescale = torch.exp(running_max - new_max)
            running_sum = running_sum * rescale + torch.exp(chunk - new_max[:, None]).sum(dim=1)
            running_max = new_max
        picked = logits_flat[tile_n.index * v + labels[tile_n]].float()
        losses[tile_n] = running_max + torch.log(running_sum) - picked
    return losses


@helion.kernel()
def cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.zeros([n], dtype=logits.dtype, device=logits.device)
    logits_flat = logits.view(-1)
    for tile_n in hl.tile(n):
        labels_tile = labels[tile_n]
        base_indices = tile_n.index * v
        logits_at_target = logits_flat[base_indices + labels_tile]
        logits_rows = logits[tile_n, :]
        max_logits = torch.amax(logits_rows, dim=-1, keepdim=True)
        exp_logits = torch.exp(logits_rows - max_logits)
        sum_exp = torch.sum(exp_logits, dim=-1, keepdim=True)
        log_sum_exp = max_logits.squeeze(-1) + torch.log(sum_exp.squeeze(-1))
        losses[tile_n] = log_sum_exp - logits_at_target
    return losses


@helion.kernel()
def attention_3d(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    # attention over [batch * heads, seq, head_dim]: the keys read as rows and transposed in
    # the product (every tile a run of whole rows: TMA copies them, and Hopper's warp
    # specialization can split the key loop); exp2 with the scale folded in, as above
    batch, m, d = q.size()
    n = k.size(1)
    qk_scale = 1.44269504 / math.sqrt(d)  # 1 / ln(2): exp2 instead of exp
    out = torch.empty_like(q)
    for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):
        m_i = hl.full([tile_b, tile_m], float("-inf"), dtype=torch.float32)
        l_i = hl.full([tile_b, tile_m], 1.0, dtype=torch.float32)
        acc = hl.zeros([tile_b, tile_m, d], dtype=torch.float32)
        queries = q[tile_b, tile_m, :]
        for tile_n in hl.tile(n):
            qk = torch.bmm(queries, k[tile_b, tile_n, :].transpose(1, 2))
            m_ij = torch.maximum(m_i, torch.amax(qk, -1) * qk_scale)
            p = torch.exp2(qk * qk_scale - m_ij[:, :, None])
            alpha = torch.exp2(m_i - m_ij)
            l_i = l_i * alpha + torch.sum(p, -1)
            acc = torch.baddbmm(acc * alpha[:, :, None], p.to(v.dtype), v[tile_b, tile_n, :])
            m_i = m_ij
        out[tile_b, tile_m, :] = (acc / l_i[:, :, None]).to(out.dtype)
    return out
