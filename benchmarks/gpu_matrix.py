"""Matrix kernels on the GPU: correctness at realistic sizes and a small sweep of configurations.

Run on a CUDA machine: python benchmarks/gpu_matrix.py [--json OUT.json]
Each kernel is transpiled from tests/kernels/matrix.py with the listed `config=` written into
its decorator; results are checked against float32 torch (relative Frobenius error) and timed
with triton.testing.do_bench (median), beside torch (cuBLAS / SDPA) and torch.compile.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
import torch.nn.functional as F
import triton.testing

import transpiler
from transpiler.run.runtime import load_module

SOURCE = (Path(__file__).parents[1] / "tests/kernels/matrix.py").read_text()
MATMUL_CONFIGS = [
    None,
    "block_sizes=[128, 128, 64], num_warps=8, num_stages=3, l2_groupings=[8]",
    "block_sizes=[128, 256, 64], num_warps=8, num_stages=3, l2_groupings=[8]",
    "block_sizes=[128, 128, 64], num_warps=4, num_stages=4, l2_groupings=[8]",
    "block_sizes=[64, 128, 64], num_warps=4, num_stages=4, l2_groupings=[8]",
]
ATTENTION_CONFIGS = [None, "block_sizes=[128, 64], num_warps=8, num_stages=3"]
BATCHED_ATTENTION_CONFIGS = [
    None,
    "block_sizes=[128, 64], num_warps=8, num_stages=3",
    "block_sizes=[128, 128], num_warps=8, num_stages=2",
    "block_sizes=[64, 64], num_warps=4, num_stages=3",
]


def kernel(name: str, config: str | None, args: tuple):
    source = SOURCE
    if config:
        source = source.replace(
            f"@helion.kernel()\ndef {name}(",
            f"@helion.kernel(config=helion.Config({config}))\ndef {name}(",
        )
    code = transpiler.transpile_module(source, example_args={name: args}, only=(name,)).code
    return getattr(load_module(code, stem=f"gpu_{name}"), name)


def bench(function, *args) -> float:
    return triton.testing.do_bench(
        lambda: function(*args), warmup=25, rep=100, return_mode="median"
    )


def rel_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return ((actual.float() - expected.float()).norm() / expected.float().norm()).item()


def run(label, name, args, flops, peer, peer_name, configs, rows):
    expected = peer(*[a.float() if a.is_floating_point() else a for a in args])
    peer_ms = bench(peer, *args)
    compiled = torch.compile(peer)
    compile_ms = bench(compiled, *args)
    for config in configs:
        try:
            ours = kernel(name, config, args)
            error = rel_error(ours(*args), expected)
            ms = bench(ours, *args)
        except Exception as failure:  # a configuration that does not compile: recorded, not fatal
            rows.append(
                {"workload": label, "config": config or "default", "error": repr(failure)[:200]}
            )
            print(rows[-1], flush=True)
            continue
        rows.append(
            {
                "workload": label,
                "config": config or "default",
                "rel_error": error,
                "ours_ms": ms,
                "TFLOP/s": flops / ms / 1e9,
                f"{peer_name}_ms": peer_ms,
                "compile_ms": compile_ms,
                "vs_peer": peer_ms / ms,
                "vs_compile": compile_ms / ms,
            }
        )
        print(rows[-1], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows: list[dict] = []
    for dtype in (torch.bfloat16, torch.float16):
        x = torch.randn(8192, 8192, device="cuda", dtype=dtype)
        y = torch.randn(8192, 8192, device="cuda", dtype=dtype)
        configs = MATMUL_CONFIGS if dtype == torch.bfloat16 else MATMUL_CONFIGS[2:3]
        run(
            f"matmul 8192^3 {dtype}",
            "matmul",
            (x, y),
            2 * 8192**3,
            torch.matmul,
            "cublas",
            configs,
            rows,
        )
    x = torch.randn(16384, 4096, device="cuda", dtype=torch.bfloat16)
    y = torch.randn(4096, 256, device="cuda", dtype=torch.bfloat16)
    run(
        "matmul skinny 16384x4096x256 bf16",
        "matmul",
        (x, y),
        2 * 16384 * 4096 * 256,
        torch.matmul,
        "cublas",
        MATMUL_CONFIGS[1:],
        rows,
    )
    q, k, v = (torch.randn(128, 4096, 128, device="cuda", dtype=torch.bfloat16) for _ in range(3))
    sdpa = lambda q, k, v: F.scaled_dot_product_attention(q[None], k[None], v[None])[0]  # noqa: E731
    flops = 4 * 128 * 4096 * 4096 * 128
    for label, name, configs in (
        ("attention (grid) 4x32x4096x128 bf16", "attention", ATTENTION_CONFIGS),
        ("attention (tiles) 4x32x4096x128 bf16", "attention_batched", BATCHED_ATTENTION_CONFIGS),
    ):
        run(label, name, (q, k, v), flops, sdpa, "sdpa", configs, rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    print(
        f"\n{'workload':36} {'config':70} {'err':>8} {'ms':>8} {'TFLOP/s':>8} {'vs peer':>8} {'vs compile':>10}"
    )
    for r in rows:
        if "error" in r:
            print(f"{r['workload']:36} {r['config']:70} FAILED {r['error'][:60]}")
            continue
        print(
            f"{r['workload']:36} {r['config']:70} {r['rel_error']:8.1e} {r['ours_ms']:8.3f} {r['TFLOP/s']:8.1f} "
            f"{r['vs_peer']:7.2f}x {r['vs_compile']:9.2f}x"
        )


if __name__ == "__main__":
    main()
