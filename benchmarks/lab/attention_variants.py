"""Lab: which features of a generated attention kernel cost time on the H100 (issue 5).

Hand-written Triton variants of the same 2-D flash-attention loop (one program per
(head, BLOCK_M rows)), from what our transpiler emits today to what a tuned kernel needs,
each timed at several configurations against SDPA, all in turns (median of `--rounds`
rounds). Run on the GPU machine:

    python benchmarks/lab/attention_variants.py [--json OUT.json]

Variants (each adds one thing to the one before):
  masked   masks on n and d, masked max / sum / probabilities (what we generate)
  even     no masks: n a multiple of BLOCK_N, d == BLOCK_D (a constexpr EVEN flag)
  flags    masks written `(offs < n) | EVEN_N` (a constexpr): what the transpiler now emits
  flags@4000  the same at 4000 keys and queries (ragged: masks stay)
  tma      even + tensor-descriptor (TMA) loads of q, k, v and the store of out
  tma_ws   tma with `tl.range(..., warp_specialize=True)` on the key loop
  device_tma     tma with the descriptors made in the kernel (`tl.make_tensor_descriptor`)
  device_tma_ws  device_tma with warp specialization (Hopper partitions data only with these)
  device_tma3_ws device_tma_ws through 3-D descriptors, a block of 1 along the batch
  device_tma_dp    device_tma with the query tile split into two halves that share each key
                   tile (data partitioning: one half's softmax beside the other's products)
  device_tma_ws_dp device_tma_dp with warp specialization
  device_tma_sw    device_tma software-pipelined by hand: the next tile's scores are asked for
                   before this tile's softmax
  device_tma_ws_sw device_tma_sw with warp specialization
  generated        benchmarks/kernels.py::attention_3d as the transpiler writes it, at the
                   config with TMA and the key loop warp-specialized
  generated_nonan  generated without `propagate_nan` on the running max
  generated_plain  generated_nonan without the key tiles' masks (whole tiles here)
  generated_persistent  generated with pid_type="persistent_interleaved" (one program per SM)
"""

from __future__ import annotations

import argparse
import json
import statistics

import torch
import torch.nn.functional as F
import triton
import triton.language as tl
from turns import in_turns


@triton.jit
def attention_masked(
    q_ptr,
    k_ptr,
    v_ptr,
    out_ptr,
    m,
    n,
    d,
    qk_scale,
    stride_b,
    stride_n,
    stride_d,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    EVEN: tl.constexpr,
):
    pid_b = tl.program_id(1)
    offs_m = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    mask_m = offs_m < m
    mask_d = offs_d < d
    base = pid_b.to(tl.int64) * stride_b
    q_ptrs = q_ptr + base + offs_m[:, None] * stride_n + offs_d[None, :] * stride_d
    if EVEN:
        q = tl.load(q_ptrs)
    else:
        q = tl.load(q_ptrs, mask=mask_m[:, None] & mask_d[None, :], other=0)
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.full([BLOCK_M], 1.0, tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    for begin_n in range(0, n, BLOCK_N):
        offs_n = begin_n + tl.arange(0, BLOCK_N)
        mask_n = offs_n < n
        k_ptrs = k_ptr + base + offs_n[None, :] * stride_n + offs_d[:, None] * stride_d
        v_ptrs = v_ptr + base + offs_n[:, None] * stride_n + offs_d[None, :] * stride_d
        if EVEN:
            k = tl.load(k_ptrs)
        else:
            k = tl.load(k_ptrs, mask=mask_d[:, None] & mask_n[None, :], other=0)
        qk = tl.dot(q, k)
        if EVEN:
            m_ij = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        else:
            m_ij = tl.maximum(
                m_i, tl.max(tl.where(mask_n[None, :], qk, float("-inf")), 1) * qk_scale
            )
        qk = qk * qk_scale - m_ij[:, None]
        p = tl.math.exp2(qk)
        if EVEN:
            l_ij = tl.sum(p, 1)
        else:
            l_ij = tl.sum(tl.where(mask_n[None, :], p, 0), 1)
        alpha = tl.math.exp2(m_i - m_ij)
        l_i = l_i * alpha + l_ij
        acc = acc * alpha[:, None]
        if EVEN:
            v = tl.load(v_ptrs)
            acc = tl.dot(p.to(v.dtype), v, acc)
        else:
            v = tl.load(v_ptrs, mask=mask_n[:, None] & mask_d[None, :], other=0)
            acc = tl.dot(tl.where(mask_n[None, :], p.to(v.dtype), 0), v, acc)
        m_i = m_ij
    acc = acc / l_i[:, None]
    out_ptrs = out_ptr + base + offs_m[:, None] * stride_n + offs_d[None, :] * stride_d
    if EVEN:
        tl.store(out_ptrs, acc.to(out_ptr.dtype.element_ty))
    else:
        tl.store(out_ptrs, acc.to(out_ptr.dtype.element_ty), mask=mask_m[:, None] & mask_d[None, :])


@triton.jit
def attention_flags(
    q_ptr,
    k_ptr,
    v_ptr,
    out_ptr,
    m,
    n,
    d,
    qk_scale,
    stride_b,
    stride_n,
    stride_d,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    EVEN_M: tl.constexpr,
    EVEN_N: tl.constexpr,
    EVEN_D: tl.constexpr,
):
    # the masks as the transpiler writes them: `(offs < size) | EVEN` (constexpr)
    pid_b = tl.program_id(1)
    offs_m = tl.program_id(0) * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_d = tl.arange(0, BLOCK_D)
    mask_m = (offs_m < m) | EVEN_M
    mask_d = (offs_d < d) | EVEN_D
    base = pid_b.to(tl.int64) * stride_b
    q_ptrs = q_ptr + base + offs_m[:, None] * stride_n + offs_d[None, :] * stride_d
    q = tl.load(q_ptrs, mask=mask_m[:, None] & mask_d[None, :], other=0)
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.full([BLOCK_M], 1.0, tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    for begin_n in range(0, n, BLOCK_N):
        offs_n = begin_n + tl.arange(0, BLOCK_N)
        mask_n = (offs_n < n) | EVEN_N
        k_ptrs = k_ptr + base + offs_n[None, :] * stride_n + offs_d[:, None] * stride_d
        k = tl.load(k_ptrs, mask=mask_d[:, None] & mask_n[None, :], other=0)
        qk = tl.dot(q, k)
        m_ij = tl.maximum(m_i, tl.max(tl.where(mask_n[None, :], qk, float("-inf")), 1) * qk_scale)
        qk = qk * qk_scale - m_ij[:, None]
        p = tl.math.exp2(qk)
        l_ij = tl.sum(tl.where(mask_n[None, :], p, 0), 1)
        alpha = tl.math.exp2(m_i - m_ij)
        l_i = l_i * alpha + l_ij
        acc = acc * alpha[:, None]
        v_ptrs = v_ptr + base + offs_n[:, None] * stride_n + offs_d[None, :] * stride_d
        v = tl.load(v_ptrs, mask=mask_n[:, None] & mask_d[None, :], other=0)
        acc = tl.dot(tl.where(mask_n[None, :], p.to(v.dtype), 0), v, acc)
        m_i = m_ij
    acc = acc / l_i[:, None]
    out_ptrs = out_ptr + base + offs_m[:, None] * stride_n + offs_d[None, :] * stride_d
    tl.store(out_ptrs, acc.to(out_ptr.dtype.element_ty), mask=mask_m[:, None] & mask_d[None, :])


def run_flags(q, k, v, config):
    block_m, block_n, warps, stages = config
    bh, m, d = q.shape
    n = k.shape[1]
    out = torch.empty_like(q)
    block_d = triton.next_power_of_2(d)
    grid = (triton.cdiv(m, block_m), bh)
    attention_flags[grid](
        q,
        k,
        v,
        out,
        m,
        n,
        d,
        d**-0.5 * 1.44269504,
        q.stride(0),
        q.stride(1),
        q.stride(2),
        BLOCK_M=block_m,
        BLOCK_N=block_n,
        BLOCK_D=block_d,
        EVEN_M=m % block_m == 0,
        EVEN_N=n % block_n == 0,
        EVEN_D=d == block_d,
        num_warps=warps,
        num_stages=stages,
    )
    return out


@triton.jit
def attention_tma(
    q_desc,
    k_desc,
    v_desc,
    o_desc,
    m,
    n,
    qk_scale,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    WS: tl.constexpr,
):
    pid_b = tl.program_id(1)
    row0 = pid_b * m + tl.program_id(0) * BLOCK_M
    kv0 = pid_b * n
    q = q_desc.load([row0, 0])
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.full([BLOCK_M], 1.0, tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    for begin_n in tl.range(0, n, BLOCK_N, warp_specialize=WS):
        k = k_desc.load([kv0 + begin_n, 0])
        qk = tl.dot(q, k.T)
        m_ij = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        qk = qk * qk_scale - m_ij[:, None]
        p = tl.math.exp2(qk)
        l_ij = tl.sum(p, 1)
        alpha = tl.math.exp2(m_i - m_ij)
        l_i = l_i * alpha + l_ij
        acc = acc * alpha[:, None]
        v = v_desc.load([kv0 + begin_n, 0])
        acc = tl.dot(p.to(v.dtype), v, acc)
        m_i = m_ij
    acc = acc / l_i[:, None]
    o_desc.store([row0, 0], acc.to(o_desc.dtype))


@triton.jit
def attention_device_tma(
    q_ptr,
    k_ptr,
    v_ptr,
    o_ptr,
    rows,
    m,
    n,
    qk_scale,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    WS: tl.constexpr,
):
    # descriptors made in the kernel (tl.make_tensor_descriptor), as the transpiler makes them:
    # Hopper's warp specialization partitions data only with these, not with host descriptors
    q_desc = tl.make_tensor_descriptor(q_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_M, BLOCK_D])
    k_desc = tl.make_tensor_descriptor(k_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_N, BLOCK_D])
    v_desc = tl.make_tensor_descriptor(v_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_N, BLOCK_D])
    o_desc = tl.make_tensor_descriptor(o_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_M, BLOCK_D])
    pid_b = tl.program_id(1)
    row0 = pid_b * m + tl.program_id(0) * BLOCK_M
    kv0 = pid_b * n
    q = q_desc.load([row0, 0])
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.full([BLOCK_M], 1.0, tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    for begin_n in tl.range(0, n, BLOCK_N, warp_specialize=WS):
        k = k_desc.load([kv0 + begin_n, 0])
        qk = tl.dot(q, k.T)
        m_ij = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        qk = qk * qk_scale - m_ij[:, None]
        p = tl.math.exp2(qk)
        l_ij = tl.sum(p, 1)
        alpha = tl.math.exp2(m_i - m_ij)
        l_i = l_i * alpha + l_ij
        acc = acc * alpha[:, None]
        v = v_desc.load([kv0 + begin_n, 0])
        acc = tl.dot(p.to(v.dtype), v, acc)
        m_i = m_ij
    acc = acc / l_i[:, None]
    o_desc.store([row0, 0], acc.to(o_desc.dtype))


@triton.jit
def attention_device_tma3(
    q_ptr,
    k_ptr,
    v_ptr,
    o_ptr,
    bh,
    m,
    n,
    qk_scale,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    WS: tl.constexpr,
):
    # 3-D descriptors with a block of 1 along the batch (what a squeezed batch tile gives)
    q_desc = tl.make_tensor_descriptor(
        q_ptr, [bh, m, BLOCK_D], [m * BLOCK_D, BLOCK_D, 1], [1, BLOCK_M, BLOCK_D]
    )
    k_desc = tl.make_tensor_descriptor(
        k_ptr, [bh, n, BLOCK_D], [n * BLOCK_D, BLOCK_D, 1], [1, BLOCK_N, BLOCK_D]
    )
    v_desc = tl.make_tensor_descriptor(
        v_ptr, [bh, n, BLOCK_D], [n * BLOCK_D, BLOCK_D, 1], [1, BLOCK_N, BLOCK_D]
    )
    o_desc = tl.make_tensor_descriptor(
        o_ptr, [bh, m, BLOCK_D], [m * BLOCK_D, BLOCK_D, 1], [1, BLOCK_M, BLOCK_D]
    )
    pid_b = tl.program_id(1)
    m0 = tl.program_id(0) * BLOCK_M
    q = q_desc.load([pid_b, m0, 0]).reshape([BLOCK_M, BLOCK_D])
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.full([BLOCK_M], 1.0, tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    for begin_n in tl.range(0, n, BLOCK_N, warp_specialize=WS):
        k = k_desc.load([pid_b, begin_n, 0]).reshape([BLOCK_N, BLOCK_D])
        qk = tl.dot(q, k.T)
        m_ij = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        qk = qk * qk_scale - m_ij[:, None]
        p = tl.math.exp2(qk)
        l_ij = tl.sum(p, 1)
        alpha = tl.math.exp2(m_i - m_ij)
        l_i = l_i * alpha + l_ij
        acc = acc * alpha[:, None]
        v = v_desc.load([pid_b, begin_n, 0]).reshape([BLOCK_N, BLOCK_D])
        acc = tl.dot(p.to(v.dtype), v, acc)
        m_i = m_ij
    acc = acc / l_i[:, None]
    o_desc.store([pid_b, m0, 0], acc.to(o_desc.dtype).reshape([1, BLOCK_M, BLOCK_D]))


@triton.jit
def attention_step(q, k, v, m_i, l_i, acc, qk_scale):
    """One key tile's online-softmax update of one query tile (the loop body above)."""
    qk = tl.dot(q, k.T)
    m_ij = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
    qk = qk * qk_scale - m_ij[:, None]
    p = tl.math.exp2(qk)
    alpha = tl.math.exp2(m_i - m_ij)
    l_i = l_i * alpha + tl.sum(p, 1)
    acc = acc * alpha[:, None]
    acc = tl.dot(p.to(v.dtype), v, acc)
    return m_ij, l_i, acc


@triton.jit
def attention_device_tma_dp(
    q_ptr,
    k_ptr,
    v_ptr,
    o_ptr,
    rows,
    m,
    n,
    qk_scale,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    WS: tl.constexpr,
):
    # attention_device_tma with the query tile split into two independent halves ("data
    # partitioning"): each key tile is loaded once and updates both halves, so one half's
    # softmax can run while the other half's products are on the tensor cores
    HALF: tl.constexpr = BLOCK_M // 2
    q_desc = tl.make_tensor_descriptor(q_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [HALF, BLOCK_D])
    k_desc = tl.make_tensor_descriptor(k_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_N, BLOCK_D])
    v_desc = tl.make_tensor_descriptor(v_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_N, BLOCK_D])
    o_desc = tl.make_tensor_descriptor(o_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [HALF, BLOCK_D])
    pid_b = tl.program_id(1)
    row0 = pid_b * m + tl.program_id(0) * BLOCK_M
    kv0 = pid_b * n
    q0 = q_desc.load([row0, 0])
    q1 = q_desc.load([row0 + HALF, 0])
    m0 = tl.full([HALF], float("-inf"), tl.float32)
    l0 = tl.full([HALF], 1.0, tl.float32)
    acc0 = tl.zeros([HALF, BLOCK_D], tl.float32)
    m1 = tl.full([HALF], float("-inf"), tl.float32)
    l1 = tl.full([HALF], 1.0, tl.float32)
    acc1 = tl.zeros([HALF, BLOCK_D], tl.float32)
    for begin_n in tl.range(0, n, BLOCK_N, warp_specialize=WS):
        k = k_desc.load([kv0 + begin_n, 0])
        v = v_desc.load([kv0 + begin_n, 0])
        m0, l0, acc0 = attention_step(q0, k, v, m0, l0, acc0, qk_scale)
        m1, l1, acc1 = attention_step(q1, k, v, m1, l1, acc1, qk_scale)
    o_desc.store([row0, 0], (acc0 / l0[:, None]).to(o_desc.dtype))
    o_desc.store([row0 + HALF, 0], (acc1 / l1[:, None]).to(o_desc.dtype))


@triton.jit
def attention_device_tma_sw(
    q_ptr,
    k_ptr,
    v_ptr,
    o_ptr,
    rows,
    m,
    n,
    qk_scale,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_D: tl.constexpr,
    WS: tl.constexpr,
):
    # attention_device_tma software-pipelined by hand: the next key tile's scores are asked of
    # the tensor cores before this tile's softmax, so that (if the compiler leaves the product
    # in flight) the exponentials run while the next product is computed
    q_desc = tl.make_tensor_descriptor(q_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_M, BLOCK_D])
    k_desc = tl.make_tensor_descriptor(k_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_N, BLOCK_D])
    v_desc = tl.make_tensor_descriptor(v_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_N, BLOCK_D])
    o_desc = tl.make_tensor_descriptor(o_ptr, [rows, BLOCK_D], [BLOCK_D, 1], [BLOCK_M, BLOCK_D])
    pid_b = tl.program_id(1)
    row0 = pid_b * m + tl.program_id(0) * BLOCK_M
    kv0 = pid_b * n
    q = q_desc.load([row0, 0])
    m_i = tl.full([BLOCK_M], float("-inf"), tl.float32)
    l_i = tl.full([BLOCK_M], 1.0, tl.float32)
    acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
    qk = tl.dot(q, k_desc.load([kv0, 0]).T)
    for begin_n in tl.range(BLOCK_N, n + BLOCK_N, BLOCK_N, warp_specialize=WS):
        # the next tile's scores (past the end: a tile of zeros, never used)
        k = k_desc.load([kv0 + begin_n, 0])
        qk_next = tl.dot(q, k.T)
        m_ij = tl.maximum(m_i, tl.max(qk, 1) * qk_scale)
        p = tl.math.exp2(qk * qk_scale - m_ij[:, None])
        alpha = tl.math.exp2(m_i - m_ij)
        l_i = l_i * alpha + tl.sum(p, 1)
        v = v_desc.load([kv0 + begin_n - BLOCK_N, 0])
        acc = tl.dot(p.to(v.dtype), v, acc * alpha[:, None])
        m_i = m_ij
        qk = qk_next
    o_desc.store([row0, 0], (acc / l_i[:, None]).to(o_desc.dtype))


def run_device_tma(q, k, v, config, ws, three_d=False, halves=False, rotated=False):
    """attention_device_tma (2-D descriptors over [bh * m, d]) or, with `three_d`,
    attention_device_tma3 (3-D descriptors, a block of 1 on the batch), or with `halves`,
    attention_device_tma_dp (the query tile in two halves), or with `rotated`,
    attention_device_tma_sw (the next scores asked for before this softmax)."""
    block_m, block_n, warps, stages = config
    bh, m, d = q.shape
    n = k.shape[1]
    out = torch.empty_like(q)
    triton.set_allocator(
        lambda size, align, stream: torch.empty(size, dtype=torch.int8, device="cuda")
    )
    kernel = attention_device_tma3 if three_d else attention_device_tma
    if halves:
        kernel = attention_device_tma_dp
    if rotated:
        kernel = attention_device_tma_sw
    kernel[(triton.cdiv(m, block_m), bh)](
        q,
        k,
        v,
        out,
        bh if three_d else bh * m,  # the batch count, or the rows of the 2-D view
        m,
        n,
        d**-0.5 * 1.44269504,
        BLOCK_M=block_m,
        BLOCK_N=block_n,
        BLOCK_D=d,
        WS=ws,
        num_warps=warps,
        num_stages=stages,
    )
    return out


def run_masked(q, k, v, config, even):
    block_m, block_n, warps, stages = config
    bh, m, d = q.shape
    n = k.shape[1]
    out = torch.empty_like(q)
    grid = (triton.cdiv(m, block_m), bh)
    attention_masked[grid](
        q,
        k,
        v,
        out,
        m,
        n,
        d,
        d**-0.5 * 1.44269504,
        q.stride(0),
        q.stride(1),
        q.stride(2),
        BLOCK_M=block_m,
        BLOCK_N=block_n,
        BLOCK_D=triton.next_power_of_2(d),
        EVEN=even,
        num_warps=warps,
        num_stages=stages,
    )
    return out


def run_tma(q, k, v, config, ws=False):
    from triton.tools.tensor_descriptor import TensorDescriptor

    block_m, block_n, warps, stages = config
    bh, m, d = q.shape
    n = k.shape[1]
    out = torch.empty_like(q)
    flat = lambda t: t.reshape(-1, d)  # noqa: E731
    q_desc = TensorDescriptor.from_tensor(flat(q), [block_m, d])
    k_desc = TensorDescriptor.from_tensor(flat(k), [block_n, d])
    v_desc = TensorDescriptor.from_tensor(flat(v), [block_n, d])
    o_desc = TensorDescriptor.from_tensor(flat(out), [block_m, d])
    grid = (triton.cdiv(m, block_m), bh)
    attention_tma[grid](
        q_desc,
        k_desc,
        v_desc,
        o_desc,
        m,
        n,
        d**-0.5 * 1.44269504,
        BLOCK_M=block_m,
        BLOCK_N=block_n,
        BLOCK_D=d,
        WS=ws,
        num_warps=warps,
        num_stages=stages,
    )
    return out


CONFIGS = [
    (128, 128, 4, 2),
    (256, 128, 8, 2),
    (128, 64, 4, 3),
    (128, 64, 8, 3),
    (128, 128, 8, 3),
    (128, 128, 8, 2),
    (128, 64, 8, 4),
    (64, 64, 4, 3),
    (128, 128, 4, 3),
    (256, 64, 8, 3),
]


NAN = ",\n            propagate_nan=tl.PropagateNan.ALL,\n"
MASKED_MAX = 'tl.max(tl.where(mask_n[None, :], qk, float("-inf")), axis=1)'
MASKED_SUM = "tl.sum(tl.where(mask_n[None, :], p, 0), axis=1)"
MASKED_P = "tl.where(mask_n[None, :], p.to(v_ptr.dtype.element_ty), 0)"


def generated(config, patch=""):
    """benchmarks/kernels.py::attention_3d transpiled at `config` (warp-specialized TMA), as
    written or patched: "nonan" drops propagate_nan, "plain" also the key tiles' masks;
    "persistent" is the config with one resident program per SM (pid_type)."""
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    import transpiler
    from transpiler.run.runtime import load_module

    block_m, block_n, warps, stages = config
    q = torch.empty(8, 256, 128, dtype=torch.bfloat16)
    code = transpiler.transpile_module(
        (root / "benchmarks/kernels.py").read_text(),
        example_args={"attention_3d": (q, q, q)},
        only=("attention_3d",),
        config={
            "block_sizes": [block_m, block_n],
            "num_warps": warps,
            "num_stages": stages,
            "indexing": "tensor_descriptor",
            "range_warp_specializes": [True],
            **({"pid_type": "persistent_interleaved"} if patch == "persistent" else {}),
        },
    ).code
    if patch in ("nonan", "plain"):
        assert NAN in code, "generated code changed"
        code = code.replace(NAN, ",\n")
    if patch == "plain":
        assert all(text in code for text in (MASKED_MAX, MASKED_SUM, MASKED_P))
        code = code.replace(MASKED_MAX, "tl.max(qk, axis=1)")
        code = code.replace(MASKED_SUM, "tl.sum(p, axis=1)")
        code = code.replace(MASKED_P, "p.to(v_ptr.dtype.element_ty)")
    stem = f"attention_3d_{block_m}_{block_n}_{warps}_{stages}_{patch or 'as_written'}"
    return load_module(code, stem=stem).attention_3d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json")
    parser.add_argument("--variants", default="", help="comma-separated (default: all)")
    parser.add_argument("--configs", default="", help="BM,BN,warps,stages;... (default: CONFIGS)")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds, in turns")
    args = parser.parse_args()
    torch.manual_seed(0)
    b, h, s, d = 4, 32, 4096, 128
    q, k, v = (torch.randn(b * h, s, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    exact = F.scaled_dot_product_attention(q.double()[:8], k.double()[:8], v.double()[:8])
    exact_4000 = F.scaled_dot_product_attention(*(t.double()[:8, :4000] for t in (q, k, v)))
    flops = 4 * b * h * s * s * d
    variants = {
        "masked": lambda c: run_masked(q, k, v, c, False),
        "even": lambda c: run_masked(q, k, v, c, True),
        "flags": lambda c: run_flags(q, k, v, c),
        "flags@4000": lambda c: run_flags(q[:, :4000], k[:, :4000], v[:, :4000], c),
        "tma": lambda c: run_tma(q, k, v, c, False),
        "tma_ws": lambda c: run_tma(q, k, v, c, True),
        "device_tma": lambda c: run_device_tma(q, k, v, c, False),
        "device_tma_ws": lambda c: run_device_tma(q, k, v, c, True),
        "device_tma3_ws": lambda c: run_device_tma(q, k, v, c, True, three_d=True),
        "device_tma_dp": lambda c: run_device_tma(q, k, v, c, False, halves=True),
        "device_tma_ws_dp": lambda c: run_device_tma(q, k, v, c, True, halves=True),
        "device_tma_sw": lambda c: run_device_tma(q, k, v, c, False, rotated=True),
        "device_tma_ws_sw": lambda c: run_device_tma(q, k, v, c, True, rotated=True),
        "generated": lambda c: compiled(c, "")(q, k, v),
        "generated_nonan": lambda c: compiled(c, "nonan")(q, k, v),
        "generated_plain": lambda c: compiled(c, "plain")(q, k, v),
        "generated_persistent": lambda c: compiled(c, "persistent")(q, k, v),
    }
    kernels: dict = {}

    def compiled(config, patch):  # transpiled once per (config, patch), not at every call
        if (config, patch) not in kernels:
            kernels[config, patch] = generated(config, patch)
        return kernels[config, patch]

    if args.configs:  # "BM,BN,warps,stages;..."
        configs = [tuple(int(v) for v in c.split(",")) for c in args.configs.split(";")]
    else:
        configs = CONFIGS
    wanted = args.variants.split(",") if args.variants else list(variants)
    variants = {name: run for name, run in variants.items() if name in wanted}
    # compile and check every (variant, config) first; then time them all in turns, SDPA
    # among them, `--rounds` times (an H100's clock drifts by several percent within a run)
    runs = {("sdpa", "-"): (lambda: F.scaled_dot_product_attention(q[None], k[None], v[None]), 0.0)}
    for name, run in variants.items():
        for config in configs:
            try:
                out = run(config)
                want = exact if out.shape[1] == s else exact_4000
                err = ((out[:8].double() - want).norm() / want.norm()).item()
            except Exception as error:  # noqa: BLE001
                print(f"{name} {config}: {type(error).__name__}: {str(error)[:200]}", flush=True)
                continue
            runs[name, config] = (lambda run=run, config=config: run(config), err)
            print(name, config, f"err {err:.1e}", flush=True)
    samples = in_turns({key: call for key, (call, _) in runs.items()}, rounds=args.rounds)
    rows = [
        (name, config, statistics.median(samples[name, config]), err)
        for (name, config), (_, err) in runs.items()
    ]
    sdpa = rows[0][2]
    print("\n| variant | BM, BN, warps, stages | ms | TFLOP/s | vs SDPA | rel err |")
    print("|---|---|---|---|---|---|")
    for name, config, ms, err in rows:
        print(
            f"| {name} | {config} | {ms:.3f} | {flops / ms / 1e9:.0f} | {sdpa / ms:.2f} | {err:.1e} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump([[n, c, ms, e] for n, c, ms, e in rows], f, indent=1)


if __name__ == "__main__":
    main()
