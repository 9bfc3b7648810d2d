"""Lab: which features of a generated attention kernel cost time on the H100 (issue 5).

Hand-written Triton variants of the same 2-D flash-attention loop (one program per
(head, BLOCK_M rows)), from what our transpiler emits today to what a tuned kernel needs,
each timed at several configurations against SDPA. Run on the GPU machine:

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
"""

from __future__ import annotations

import argparse
import json

import torch
import torch.nn.functional as F
import triton
import triton.language as tl
import triton.testing


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


def run_device_tma(q, k, v, config, ws, three_d=False):
    """attention_device_tma (2-D descriptors over [bh * m, d]) or, with `three_d`,
    attention_device_tma3 (3-D descriptors, a block of 1 on the batch)."""
    block_m, block_n, warps, stages = config
    bh, m, d = q.shape
    n = k.shape[1]
    out = torch.empty_like(q)
    triton.set_allocator(
        lambda size, align, stream: torch.empty(size, dtype=torch.int8, device="cuda")
    )
    kernel = attention_device_tma3 if three_d else attention_device_tma
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json")
    parser.add_argument("--variants", default="", help="comma-separated (default: all)")
    parser.add_argument("--configs", default="", help="BM,BN,warps,stages;... (default: CONFIGS)")
    args = parser.parse_args()
    torch.manual_seed(0)
    b, h, s, d = 4, 32, 4096, 128
    q, k, v = (torch.randn(b * h, s, d, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    exact = F.scaled_dot_product_attention(q.double()[:8], k.double()[:8], v.double()[:8])
    exact_4000 = F.scaled_dot_product_attention(*(t.double()[:8, :4000] for t in (q, k, v)))
    flops = 4 * b * h * s * s * d
    sdpa = triton.testing.do_bench(
        lambda: F.scaled_dot_product_attention(q[None], k[None], v[None]), return_mode="median"
    )
    rows = [("sdpa", "-", sdpa, 0.0)]
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
    }
    if args.configs:  # "BM,BN,warps,stages;..."
        configs = [tuple(int(v) for v in c.split(",")) for c in args.configs.split(";")]
    else:
        configs = CONFIGS
    wanted = args.variants.split(",") if args.variants else list(variants)
    variants = {name: run for name, run in variants.items() if name in wanted}
    for name, run in variants.items():
        for config in configs:
            try:
                out = run(config)
                want = exact if out.shape[1] == s else exact_4000
                err = ((out[:8].double() - want).norm() / want.norm()).item()
                ms = triton.testing.do_bench(
                    lambda run=run, config=config: run(config), return_mode="median"
                )
            except Exception as error:  # noqa: BLE001
                print(f"{name} {config}: {type(error).__name__}: {str(error)[:200]}", flush=True)
                continue
            rows.append((name, config, ms, err))
            print(name, config, f"{ms:.3f} ms", f"err {err:.1e}", flush=True)
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
