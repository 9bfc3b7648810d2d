"""Autotuning against an exhaustive sweep, and the cold start of a tuned kernel (issue 5).

Run on a CUDA machine:

    python benchmarks/gpu_tuning.py [--only matmul,attention,rows] [--json OUT.json]

For each workload, the kernel's first call through `transpiler.kernel` searches its candidate
list (transpiler/run/autotune.py; "search s" is that whole first call, compiles included), then
every configuration of a larger product space (block sizes x warps x stages; for matmuls with
128-row tiles also x TMA loads x persistent programs; for attention's 128-row tiles at 4 warps
also the warp-specialized key loop at 1 and 2 stages, one program per tile or persistent) is
compiled,
checked against the search's result and timed: the table compares the search's best with the
sweep's best, both re-timed the same way. Last, a fresh Python process imports transpiler,
defines the kernel and calls it once on new inputs with the tuning cache and Triton's kernel
cache warm: "cold start" is that first call (transpile + load + launch + synchronise).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TRANSPILER_CACHE_DIR", tempfile.mkdtemp(prefix="tuning-"))

import torch  # noqa: E402
import triton.testing  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from gpu_autotune import user_module  # noqa: E402

SMEM = 227 * 1024  # H100: shared memory per block


def bench(function, *args) -> float:
    return triton.testing.do_bench(
        lambda: function(*args), warmup=25, rep=100, return_mode="median"
    )


def dot_space(three: bool) -> list[dict]:
    space = []
    blocks_k = (64, 128) if three else (None,)
    for bm, bn, bk, warps, stages in itertools.product(
        (64, 128, 256), (64, 128, 256), blocks_k, (4, 8), (3, 4)
    ):
        if three:
            if (bm * bk + bk * bn) * 2 * stages > SMEM:
                continue
            config = {"block_sizes": [bm, bn, bk], "l2_groupings": [8]}
        else:
            if (bm * 128 + 2 * bn * 128) * 2 * min(stages, 2) > SMEM or bm * bn > 256 * 128:
                continue
            config = {"block_sizes": [bm, bn]}
        config.update(num_warps=warps, num_stages=stages)
        space.append(config)
        if not three and bm == 128 and warps == 4 and stages == 3:
            # the search's warp-specialized loop, one program per tile or persistent
            for ws_stages, pid_type in itertools.product(
                (1, 2), ("flat", "persistent_interleaved", "persistent_blocked")
            ):
                space.append(
                    {
                        **config,
                        "num_stages": ws_stages,
                        "indexing": "tensor_descriptor",
                        "range_warp_specializes": [True],
                        "pid_type": pid_type,
                    }
                )
        if three and bm == 128:  # the search's Hopper variants: TMA, persistent, both
            for variant in (
                {"indexing": "tensor_descriptor"},
                {"pid_type": "persistent_interleaved"},
                {"pid_type": "persistent_interleaved", "indexing": "tensor_descriptor"},
            ):
                space.append({**config, **variant})
    return space


def row_space() -> list[dict]:
    return [
        {"block_sizes": [rows], "num_warps": warps}
        for rows, warps in itertools.product((1, 2, 4), (4, 8, 16, 32))
    ]


def agrees(result: torch.Tensor, expected: torch.Tensor) -> bool:
    scale = expected.float().abs().max().clamp_min(1e-6)
    return bool(((result.float() - expected.float()).abs().max() / scale) < 2e-2)


def sweep(kernel, args, space, expected) -> list[tuple[dict, float | None]]:
    rows = []
    for config in space:
        try:
            launcher = kernel.bind(args, config).launcher
            if not agrees(launcher(*args), expected):
                rows.append((config, None))
                continue
            rows.append((config, bench(launcher, *args)))
        except Exception:  # noqa: BLE001 - out of shared memory or registers
            rows.append((config, None))
    return rows


COLD = """
import sys, time
sys.path.insert(0, {bench!r})
started = time.perf_counter()
import torch
import transpiler
from gpu_autotune import user_module
imported = time.perf_counter()
kernel = getattr(user_module({file!r}), {name!r})
args = {make}
torch.cuda.synchronize()
first = time.perf_counter()
kernel(*args)
torch.cuda.synchronize()
done = time.perf_counter()
print(f"{{imported - started:.3f}} {{done - first:.3f}}")
"""


def cold_start(file: str, name: str, make: str) -> tuple[float, float]:
    code = COLD.format(bench=str(Path(__file__).parent), file=file, name=name, make=make)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported, first = out.stdout.split()[-2:]
    return float(imported), float(first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="matmul,attention,rows")
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    only = set(options.only.split(","))
    matrix, reductions = user_module("matrix.py"), user_module("reductions.py")
    bf16 = {"device": "cuda", "dtype": torch.bfloat16}
    workloads = []
    if "matmul" in only:
        for m, n, k in ((8192, 8192, 8192), (16384, 4096, 1024)):
            a, b = torch.randn(m, k, **bf16), torch.randn(k, n, **bf16)
            make = f"(torch.randn({m}, {k}, device='cuda', dtype=torch.bfloat16), torch.randn({k}, {n}, device='cuda', dtype=torch.bfloat16))"
            workloads.append(
                (f"matmul {m}x{n}x{k} bf16", "matrix.py", "matmul", (a, b), dot_space(True), make)
            )
    if "attention" in only:
        q, k, v = (torch.randn(128, 4096, 128, **bf16) for _ in range(3))
        make = "tuple(torch.randn(128, 4096, 128, device='cuda', dtype=torch.bfloat16) for _ in range(3))"
        workloads.append(
            (
                "attention 4x32x4096x128 bf16",
                "benchmarks/kernels.py",
                "attention_3d",
                (q, k, v),
                dot_space(False),
                make,
            )
        )
    if "rows" in only:
        x = torch.randn(16384, 8192, **bf16)
        logits = torch.randn(16384, 32000, device="cuda")
        labels = torch.randint(0, 32000, (16384,), device="cuda")
        workloads += [
            (
                "softmax 16384x8192 bf16",
                "reductions.py",
                "softmax",
                (x,),
                row_space(),
                "(torch.randn(16384, 8192, device='cuda', dtype=torch.bfloat16),)",
            ),
            (
                "cross_entropy 16384x32000 bf16",
                "reductions.py",
                "cross_entropy",
                (logits.bfloat16(), labels),
                row_space(),
                "(torch.randn(16384, 32000, device='cuda', dtype=torch.bfloat16), torch.randint(0, 32000, (16384,), device='cuda'))",
            ),
            (
                "cross_entropy 16384x32000 fp32",
                "reductions.py",
                "cross_entropy",
                (logits, labels),
                row_space(),
                "(torch.randn(16384, 32000, device='cuda'), torch.randint(0, 32000, (16384,), device='cuda'))",
            ),
        ]
    modules = {
        "matrix.py": matrix,
        "reductions.py": reductions,
        "benchmarks/kernels.py": user_module("benchmarks/kernels.py"),
    }
    table = []
    for label, file, name, args, space, make in workloads:
        kernel = getattr(modules[file], name)
        started = time.perf_counter()
        result = kernel(*args)
        torch.cuda.synchronize()
        search_s = time.perf_counter() - started
        searched = [(c, ms) for c, ms in kernel.last_tuning]
        search_best = min(searched, key=lambda e: e[1])[0]
        search_ms = bench(kernel, *args)
        started = time.perf_counter()
        swept = sweep(kernel, args, space, result)
        sweep_s = time.perf_counter() - started
        timed = [(c, ms) for c, ms in swept if ms is not None]
        sweep_best, _ = min(timed, key=lambda e: e[1])
        sweep_ms = bench(kernel.bind(args, sweep_best).launcher, *args)
        imported, first = cold_start(file, name, make)
        row = {
            "workload": label,
            "search_s": search_s,
            "searched": len(searched),
            "search_best": search_best,
            "search_ms": search_ms,
            "space": len(space),
            "compiled": len(timed),
            "sweep_s": sweep_s,
            "sweep_best": sweep_best,
            "sweep_ms": sweep_ms,
            "import_s": imported,
            "cold_first_call_s": first,
            "searched_timings": searched,
            "swept_timings": swept,
        }
        table.append(row)
        print({k: v for k, v in row.items() if not k.endswith("timings")}, flush=True)
    if options.json:
        options.json.write_text(json.dumps(table, indent=1, default=str))
    print(
        "\n| workload | search s | tried | search best ms | space (compiled) | sweep s "
        "| sweep best ms | search / sweep | cold first call s (import s) | sweep best |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in table:
        print(
            f"| {r['workload']} | {r['search_s']:.1f} | {r['searched']} | {r['search_ms']:.3f} "
            f"| {r['space']} ({r['compiled']}) | {r['sweep_s']:.0f} | {r['sweep_ms']:.3f} "
            f"| {r['search_ms'] / r['sweep_ms']:.3f} | {r['cold_first_call_s']:.2f} "
            f"({r['import_s']:.2f}) | {r['sweep_best']} |"
        )


if __name__ == "__main__":
    main()
