"""Autotuning on the GPU: time to tune, the configuration found, and the speed it buys.

Run on a CUDA machine: python benchmarks/gpu_autotune.py [--json OUT.json]
Each kernel goes through `transpiler.kernel` (the decorator users get), whose first call on new
shapes searches the kernel's configuration space (transpiler/run/autotune.py); the table gives the
search's wall time, the default configuration's time, the best one's, and torch's.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import triton.testing

ROOT = Path(__file__).parents[1]


def user_module(file: str):
    """A kernel file as a user writes it against transpiler (helion → transpiler): a name in
    tests/kernels/, or a path from the repository's root."""
    text = (ROOT / ("tests/kernels" if "/" not in file else "") / file).read_text()
    text = text.replace("import helion.language as hl", "import transpiler.language as hl")
    text = text.replace("import helion\n", "import transpiler as helion\n")
    text = text.replace("from helion.", "from transpiler.")
    text = text.replace("from transpiler.autotuner", "from transpiler.helion_compat.autotuner")
    text = text.replace("from transpiler.runtime import", "from transpiler.run.runtime import")
    path = Path(tempfile.mkdtemp()) / f"tuned_{Path(file).stem}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def bench(function, *args) -> float:
    return triton.testing.do_bench(
        lambda: function(*args), warmup=25, rep=100, return_mode="median"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    matrix, reductions = user_module("matrix.py"), user_module("reductions.py")
    bf16 = {"device": "cuda", "dtype": torch.bfloat16}
    x, y = torch.randn(8192, 8192, **bf16), torch.randn(8192, 8192, **bf16)
    skinny = (torch.randn(16384, 1024, **bf16), torch.randn(1024, 4096, **bf16))
    q, k, v = (torch.randn(128, 4096, 128, **bf16) for _ in range(3))
    rows = torch.randn(16384, 8192, **bf16)
    sdpa = lambda q, k, v: F.scaled_dot_product_attention(q[None], k[None], v[None])[0]  # noqa: E731
    workloads = [
        ("matmul 8192^3 bf16", matrix.matmul, (x, y), torch.matmul, 2 * 8192**3),
        (
            "matmul 16384x4096x1024 bf16",
            matrix.matmul,
            skinny,
            torch.matmul,
            2 * 16384 * 4096 * 1024,
        ),
        (
            "attention 4x32x4096x128 bf16",
            matrix.attention_batched,
            (q, k, v),
            sdpa,
            4 * 128 * 4096**2 * 128,
        ),
        ("softmax 16384x8192 bf16", reductions.softmax, (rows,), lambda t: torch.softmax(t, -1), 0),
    ]
    weight, bias = torch.randn(8192, **bf16), torch.randn(8192, **bf16)
    logits = torch.randn(16384, 32000, **bf16)
    labels = torch.randint(0, 32000, (16384,), device="cuda")
    for dtype in (torch.bfloat16, torch.float32):
        name = "bf16" if dtype == torch.bfloat16 else "fp32"
        x, w, b, lg = rows.to(dtype), weight.to(dtype), bias.to(dtype), logits.to(dtype)
        workloads += [
            (
                f"layer_norm 16384x8192 {name}",
                reductions.layer_norm,
                (x, w, b),
                lambda t, w, b: F.layer_norm(t, [t.size(-1)], w, b),
                0,
            ),
            (
                f"rms_norm 16384x8192 {name}",
                reductions.rms_norm,
                (x, w),
                lambda t, w: F.rms_norm(t, [t.size(-1)], w, eps=1e-6),
                0,
            ),
            (
                f"cross_entropy 16384x32000 {name}",
                reductions.cross_entropy,
                (lg, labels),
                lambda t, y: F.cross_entropy(t.float(), y, reduction="none"),
                0,
            ),
        ]
    table = []
    for label, kernel, inputs, peer, flops in workloads:
        default_ms = bench(kernel.bind(inputs).launcher, *inputs)
        started = time.perf_counter()
        result = kernel(*inputs)  # first call: tunes
        tuning_s = time.perf_counter() - started
        error = (
            (result.float() - peer(*inputs).float()).norm() / peer(*inputs).float().norm()
        ).item()
        tuned_ms = bench(kernel, *inputs)
        peer_ms = bench(peer, *inputs)
        compiled_ms = bench(torch.compile(peer), *inputs)
        best = (
            min(kernel.last_tuning, key=lambda entry: entry[1])
            if kernel.last_tuning
            else (None, tuned_ms)
        )
        table.append(
            {
                "workload": label,
                "tuning_s": tuning_s,
                "candidates": len(kernel.last_tuning),
                "best_config": best[0],
                "rel_error": error,
                "default_ms": default_ms,
                "tuned_ms": tuned_ms,
                "torch_ms": peer_ms,
                "compile_ms": compiled_ms,
                "TFLOP/s": flops / tuned_ms / 1e9 if flops else None,
                "sweep": [[c, ms] for c, ms in kernel.last_tuning],
            }
        )
        print(table[-1], flush=True)
    if args.json:
        args.json.write_text(json.dumps(table, indent=2, default=str))
    print(
        f"\n{'workload':30} {'tune s':>7} {'n':>3} {'default ms':>10} {'tuned ms':>9} {'torch ms':>9} {'compile ms':>10} {'vs torch':>8} {'TFLOP/s':>8}  best"
    )
    for r in table:
        tflops = f"{r['TFLOP/s']:8.1f}" if r["TFLOP/s"] else f"{'':8}"
        print(
            f"{r['workload']:30} {r['tuning_s']:7.1f} {r['candidates']:3d} {r['default_ms']:10.3f} {r['tuned_ms']:9.3f} "
            f"{r['torch_ms']:9.3f} {r['compile_ms']:10.3f} {r['torch_ms'] / r['tuned_ms']:7.2f}x {tflops}  {r['best_config']}"
        )


if __name__ == "__main__":
    main()
