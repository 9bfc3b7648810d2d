"""Lab: what a bf16 matmul needs on the H100 to reach cuBLAS (issue 5's 95% target).

Hand-written Triton variants of one grouped-order matmul, from what the transpiler emits
(pointer loads, one program per output tile) to Hopper's tensor-memory-accelerator loads
(host-made tensor descriptors) and a persistent grid, each timed at several block
configurations against `torch.matmul` (cuBLAS), each result checked against it first.
Run on the GPU machine:

    python benchmarks/lab/matmul_variants.py [--json OUT.json]

Variants:
  pointer         pointer loads, one program per tile (our generated kernel's shape)
  tma             the same loop, A and B through tensor descriptors (TMA), C stored through one
  tma_persistent  tma, with one program per SM walking the tiles (`tl.range(..., flatten=True)`)
  tma_ws          tma_persistent with `warp_specialize=True` on the tile loop (may not compile)
"""

from __future__ import annotations

import argparse
import json
import traceback

import torch
import triton
import triton.language as tl
import triton.testing


@triton.jit
def tile_position(tile, num_m, num_n, GROUP_M: tl.constexpr):
    """The (row, column) of output tile `tile` in grouped order (GROUP_M rows share columns)."""
    per_group = GROUP_M * num_n
    group = tile // per_group
    first_m = group * GROUP_M
    group_m = min(num_m - first_m, GROUP_M)
    pid_m = first_m + (tile % per_group) % group_m
    pid_n = (tile % per_group) // group_m
    return pid_m, pid_n


@triton.jit
def matmul_pointer(
    a_ptr,
    b_ptr,
    c_ptr,
    m,
    n,
    k,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_K: tl.constexpr,
    GROUP_M: tl.constexpr,
):
    pid_m, pid_n = tile_position(
        tl.program_id(0), tl.cdiv(m, BLOCK_M), tl.cdiv(n, BLOCK_N), GROUP_M
    )
    offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_k = tl.arange(0, BLOCK_K)
    a_ptrs = a_ptr + offs_m[:, None] * k + offs_k[None, :]
    b_ptrs = b_ptr + offs_k[:, None] * n + offs_n[None, :]
    acc = tl.zeros([BLOCK_M, BLOCK_N], tl.float32)
    for _ in range(0, k, BLOCK_K):  # shapes here are whole multiples of the blocks: no masks
        acc = tl.dot(tl.load(a_ptrs), tl.load(b_ptrs), acc)
        a_ptrs += BLOCK_K
        b_ptrs += BLOCK_K * n
    c_ptrs = c_ptr + offs_m[:, None] * n + offs_n[None, :]
    tl.store(c_ptrs, acc.to(tl.bfloat16))


@triton.jit
def matmul_tma(
    a_desc,
    b_desc,
    c_desc,
    m,
    n,
    k,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_K: tl.constexpr,
    GROUP_M: tl.constexpr,
):
    pid_m, pid_n = tile_position(
        tl.program_id(0), tl.cdiv(m, BLOCK_M), tl.cdiv(n, BLOCK_N), GROUP_M
    )
    acc = tl.zeros([BLOCK_M, BLOCK_N], tl.float32)
    for begin_k in range(0, k, BLOCK_K):
        a = a_desc.load([pid_m * BLOCK_M, begin_k])
        b = b_desc.load([begin_k, pid_n * BLOCK_N])
        acc = tl.dot(a, b, acc)
    c_desc.store([pid_m * BLOCK_M, pid_n * BLOCK_N], acc.to(tl.bfloat16))


@triton.jit
def matmul_tma_persistent(
    a_desc,
    b_desc,
    c_desc,
    m,
    n,
    k,
    BLOCK_M: tl.constexpr,
    BLOCK_N: tl.constexpr,
    BLOCK_K: tl.constexpr,
    GROUP_M: tl.constexpr,
    NUM_SMS: tl.constexpr,
    WARP_SPECIALIZE: tl.constexpr,
):
    num_m = tl.cdiv(m, BLOCK_M)
    num_n = tl.cdiv(n, BLOCK_N)
    steps_k = tl.cdiv(k, BLOCK_K)
    for tile in tl.range(
        tl.program_id(0), num_m * num_n, NUM_SMS, flatten=True, warp_specialize=WARP_SPECIALIZE
    ):
        pid_m, pid_n = tile_position(tile, num_m, num_n, GROUP_M)
        acc = tl.zeros([BLOCK_M, BLOCK_N], tl.float32)
        for step in range(steps_k):
            a = a_desc.load([pid_m * BLOCK_M, step * BLOCK_K])
            b = b_desc.load([step * BLOCK_K, pid_n * BLOCK_N])
            acc = tl.dot(a, b, acc)
        c_desc.store([pid_m * BLOCK_M, pid_n * BLOCK_N], acc.to(tl.bfloat16))


def run_variant(name, a, b, config):
    from triton.tools.tensor_descriptor import TensorDescriptor

    block_m, block_n, block_k, warps, stages = config
    m, k = a.shape
    n = b.shape[1]
    c = torch.empty(m, n, device=a.device, dtype=a.dtype)
    tiles = triton.cdiv(m, block_m) * triton.cdiv(n, block_n)
    common = dict(
        BLOCK_M=block_m,
        BLOCK_N=block_n,
        BLOCK_K=block_k,
        GROUP_M=8,
        num_warps=warps,
        num_stages=stages,
    )
    if name == "pointer":

        def launch():
            matmul_pointer[(tiles,)](a, b, c, m, n, k, **common)
    else:
        a_desc = TensorDescriptor.from_tensor(a, [block_m, block_k])
        b_desc = TensorDescriptor.from_tensor(b, [block_k, block_n])
        c_desc = TensorDescriptor.from_tensor(c, [block_m, block_n])
        if name == "tma":

            def launch():
                matmul_tma[(tiles,)](a_desc, b_desc, c_desc, m, n, k, **common)
        else:
            sms = torch.cuda.get_device_properties(a.device).multi_processor_count
            specialize = name == "tma_ws"

            def launch():
                matmul_tma_persistent[(min(sms, tiles),)](
                    a_desc,
                    b_desc,
                    c_desc,
                    m,
                    n,
                    k,
                    NUM_SMS=sms,
                    WARP_SPECIALIZE=specialize,
                    **common,
                )

    launch()
    torch.cuda.synchronize()
    expected = torch.matmul(a, b)
    error = (c.float() - expected.float()).abs().max().item()
    if error > 0.5:  # bf16 outputs of K-long sums of unit normals: cuBLAS differs by ~1e-2
        raise AssertionError(f"max error {error}")
    return triton.testing.do_bench(launch, warmup=50, rep=300), error


CONFIGS = [  # (BLOCK_M, BLOCK_N, BLOCK_K, num_warps, num_stages)
    (128, 256, 64, 8, 3),
    (128, 256, 64, 8, 4),
    (128, 128, 64, 8, 4),
    (128, 128, 64, 4, 4),
    (256, 128, 64, 8, 3),
    (128, 256, 128, 8, 2),
]
SHAPES = [(8192, 8192, 8192), (16384, 4096, 1024)]  # (M, N, K)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write every measurement here")
    parser.add_argument("--variants", default="pointer,tma,tma_persistent,tma_ws")
    args = parser.parse_args()
    torch.manual_seed(0)
    rows = []
    for m, n, k in SHAPES:
        a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
        b = torch.randn(k, n, device="cuda", dtype=torch.bfloat16)
        cublas = triton.testing.do_bench(lambda a=a, b=b: torch.matmul(a, b), warmup=50, rep=300)
        flops = 2 * m * n * k
        for name in args.variants.split(","):
            for config in CONFIGS:
                row = {"shape": [m, n, k], "variant": name, "config": config, "cublas_ms": cublas}
                try:
                    ms, error = run_variant(name, a, b, config)
                    row.update(ms=ms, error=error, tflops=flops / ms / 1e9, vs_cublas=cublas / ms)
                except Exception as failure:  # noqa: BLE001 - a variant that does not compile
                    row["failure"] = f"{type(failure).__name__}: {str(failure)[:300]}"
                    traceback.print_exc(limit=2)
                rows.append(row)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=1)
    print(
        f"\n{'shape':>18} {'variant':>15} {'config':>24} {'ms':>8} {'TFLOP/s':>8} {'vs cuBLAS':>9}"
    )
    for row in rows:
        shape = "x".join(map(str, row["shape"]))
        config = "/".join(map(str, row["config"]))
        if "failure" in row:
            print(f"{shape:>18} {row['variant']:>15} {config:>24}  failed: {row['failure'][:60]}")
            continue
        print(
            f"{shape:>18} {row['variant']:>15} {config:>24} {row['ms']:8.3f} "
            f"{row['tflops']:8.1f} {row['vs_cublas']:9.3f}"
        )
    for m, n, k in SHAPES:
        done = [r for r in rows if r["shape"] == [m, n, k] and "ms" in r]
        if done:
            best = min(done, key=lambda r: r["ms"])
            print(
                f"best {m}x{n}x{k}: {best['variant']} {best['config']} {best['ms']:.3f} ms, "
                f"{best['vs_cublas']:.3f}x cuBLAS ({best['cublas_ms']:.3f} ms)"
            )


if __name__ == "__main__":
    main()
