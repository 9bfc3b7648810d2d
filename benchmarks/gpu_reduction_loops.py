"""Row kernels on a GPU: one block per row against rows walked in chunks (reduction_loops).

    python benchmarks/gpu_reduction_loops.py [--out DIR] [--quick]

The plain spellings (benchmarks/plain_kernels.py: softmax, layer norm, RMS norm, cross-entropy
with a host-side `.mean()`) in bf16 at 16384 x 8192 and 16384 x 32000, each as whole rows
(reduction_loops=[None], rows per program and warps as the autotuner's row configs) and looped
(reduction_loops=[R], R in 1024 / 2048 / 4096, 4 to 16 warps), against torch eager and
torch.compile. Every variant is checked against float64 first; times are do_bench medians;
GB/s counts the bytes the kernel must move (inputs read once, outputs written once). One JSON
line per measurement goes to DIR/reduction_loops.jsonl; the table is printed last.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
import triton

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import transpiler  # noqa: E402
from transpiler.run.runtime import load_module  # noqa: E402

SHAPES = [(16384, 8192), (16384, 32000)]
DEVICE = "cuda"
WHOLE = [(1, 4), (1, 8), (1, 16), (1, 32), (2, 16)]  # (rows per program, warps)
LOOPED = [(1, 1024, 4), (1, 2048, 4), (1, 2048, 8), (1, 4096, 8), (1, 4096, 16), (2, 2048, 8)]


def plain_source() -> str:
    text = (ROOT / "benchmarks" / "plain_kernels.py").read_text()
    return text.replace("import helion\n", "import transpiler as helion\n").replace(
        "import helion.language as hl", "import transpiler.language as hl"
    )


def variant(name: str, args: tuple, config: dict):
    """The generated launcher of kernel `name` under `config`."""
    transpiled = transpiler.transpile_module(
        plain_source(), filename="plain_kernels.py", example_args={name: args},
        only=(name,), config=config,
    )  # fmt: skip
    stem = f"{name}_{abs(hash(json.dumps(config, sort_keys=True)))}"
    return getattr(load_module(transpiled.code, stem=stem), name), transpiled.code


def workloads(m: int, n: int):
    """(name, args, eager function, float64 reference, bytes moved)."""
    bf16 = dict(device=DEVICE, dtype=torch.bfloat16 if DEVICE == "cuda" else torch.float32)
    x = torch.randn(m, n, **bf16)
    w, b = torch.randn(n, **bf16), torch.randn(n, **bf16)
    labels = torch.randint(0, n, (m,), device=DEVICE)
    row_bytes = 2 * m * n
    yield "softmax", (x,), lambda x: torch.softmax(x.float(), -1).to(x.dtype), 2 * row_bytes
    yield (
        "layer_norm", (x, w, b),
        lambda x, w, b: F.layer_norm(x.float(), (n,), w.float(), b.float(), 1e-5).to(x.dtype),
        2 * row_bytes,
    )  # fmt: skip
    yield (
        "rms_norm", (x, w),
        lambda x, w: (x.float() * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-6)
                      * w.float()).to(x.dtype),
        2 * row_bytes,
    )  # fmt: skip
    yield (
        "cross_entropy", (x, labels),
        lambda x, labels: F.cross_entropy(x.float(), labels),
        row_bytes + 8 * m,
    )  # fmt: skip


def configs(quick: bool, name: str):
    whole = [
        {"block_sizes": [rows], "num_warps": warps, "reduction_loops": [None]}
        for rows, warps in WHOLE
    ]
    looped = [
        {"block_sizes": [rows], "num_warps": warps, "reduction_loops": [chunk]}
        for rows, chunk, warps in LOOPED
    ]
    chosen = (whole[:2] + looped[:3]) if quick else whole + looped
    if name == "cross_entropy":  # its source fixes one row per program (block_size=1)
        chosen = [{k: v for k, v in c.items() if k != "block_sizes"} for c in chosen]
        chosen = [c for i, c in enumerate(chosen) if c not in chosen[:i]]
    return chosen


def bench(function, inputs: tuple) -> float:
    return triton.testing.do_bench(lambda: function(*inputs))


def close(result, exact) -> bool:
    return torch.allclose(result.double(), exact.double(), atol=2e-2, rtol=2e-2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--shapes", help="MxN,MxN (a CPU smoke run: --shapes 8x3001 --cpu)")
    parser.add_argument("--cpu", action="store_true", help="Triton's interpreter, no timing")
    args = parser.parse_args(argv)
    global DEVICE
    shapes = SHAPES
    if args.shapes:
        shapes = [tuple(int(v) for v in s.split("x")) for s in args.shapes.split(",")]
    if args.cpu:
        DEVICE = "cpu"
        triton.testing.do_bench = lambda f: (f(), 1.0)[1]
    args.out.mkdir(parents=True, exist_ok=True)
    log = (args.out / "reduction_loops.jsonl").open("w")
    rows = []
    for m, n in shapes:
        for name, inputs, eager, moved in workloads(m, n):
            exact = eager(*[a.double() if a.is_floating_point() else a for a in inputs])
            best: dict[str, tuple[float, str]] = {}
            for config in configs(args.quick, name):
                kind = "whole" if config["reduction_loops"] == [None] else "looped"
                started = time.perf_counter()
                try:
                    launcher, _ = variant(name, inputs, config)
                    ok = close(launcher(*inputs), exact)
                    ms = bench(launcher, inputs) if ok else None
                    error = "" if ok else "wrong result"
                except Exception as failure:  # noqa: BLE001 - every variant is reported
                    ms, error = None, f"{type(failure).__name__}: {str(failure)[:200]}"
                record = {"kernel": name, "shape": [m, n], "config": config, "ms": ms,
                          "error": error, "seconds": round(time.perf_counter() - started, 1)}  # fmt: skip
                log.write(json.dumps(record) + "\n")
                log.flush()
                print(json.dumps(record), flush=True)
                if ms is not None and (kind not in best or ms < best[kind][0]):
                    best[kind] = (ms, json.dumps(config))
            compiled = eager if args.cpu else torch.compile(eager)
            compiled(*inputs)
            best["torch.compile"] = (bench(compiled, inputs), "")
            best["eager"] = (bench(eager, inputs), "")
            for kind, (ms, config) in best.items():
                rows.append((name, f"{m}x{n}", kind, ms, moved / ms / 1e6, config))
    print("\nreduction loops, bf16, GB/s of the bytes each kernel must move (do_bench median)")
    print(f"{'kernel':<14} {'shape':<12} {'variant':<14} {'ms':>8} {'GB/s':>8}  config")
    for name, shape, kind, ms, rate, config in rows:
        print(f"{name:<14} {shape:<12} {kind:<14} {ms:8.4f} {rate:8.0f}  {config}")


if __name__ == "__main__":
    main()
