"""Time to a tuned kernel (issue 17): the first call on new shapes, compiles included, for every
kernel in tests/kernels and the issue's workloads, and the tuned speed against an exhaustive
sweep of the same space.

Run on a CUDA machine (fresh tuning and Triton caches, so every compile counts):

    python benchmarks/gpu_time_to_tuned.py --out DIR [--kernels-seconds 150] [--sweep 'matmul,softmax']

Workloads first (bf16 at the issue's sizes): "first s" is the whole first call through
`transpiler.kernel`; the sweep then compiles every configuration of the same space
(transpiler.tuning.tuning_space at effort "full", compiled in parallel, 30 s a compile, 45 s in all
each), checks and times each with do_bench; "tuned/best" is the search's pick re-timed over the
sweep's best. Then each kernel of tests/kernels at the largest shapes its tests record
(tests/helion_oracle_cases.json), on the GPU, until --kernels-seconds run out. Tables last;
the search's log (pick, runner-up, what was dropped and why) in DIR/tuning.log.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TRANSPILER_CACHE_DIR", tempfile.mkdtemp(prefix="tuned-"))
os.environ.setdefault("TRITON_CACHE_DIR", tempfile.mkdtemp(prefix="triton-"))

import torch  # noqa: E402
import triton.testing  # noqa: E402

ROOT = Path(__file__).parents[1]
sys.path[:0] = [str(ROOT / "benchmarks"), str(ROOT / "tests"), str(ROOT)]
from gpu_autotune import user_module  # noqa: E402


def bench(function, *args) -> float:
    return triton.testing.do_bench(
        lambda: function(*args), warmup=25, rep=100, return_mode="median"
    )


def first_call(kernel, args) -> float:
    torch.cuda.synchronize()
    started = time.perf_counter()
    kernel(*args)
    torch.cuda.synchronize()
    return time.perf_counter() - started


def workloads() -> list[tuple[str, object, tuple]]:
    matrix, reductions = user_module("matrix.py"), user_module("reductions.py")
    bf16 = {"device": "cuda", "dtype": torch.bfloat16}
    rows = torch.randn(16384, 8192, **bf16)
    weight, bias = torch.randn(8192, **bf16), torch.randn(8192, **bf16)
    q, k, v = (torch.randn(128, 4096, 128, **bf16) for _ in range(3))
    return [
        ("matmul 8192^3", matrix.matmul, (torch.randn(8192, 8192, **bf16),) * 2),
        (
            "matmul 16384x4096x1024",
            matrix.matmul,
            (torch.randn(16384, 1024, **bf16), torch.randn(1024, 4096, **bf16)),
        ),
        ("attention 128x4096x128", matrix.attention_batched, (q, k, v)),
        ("softmax 16384x8192", reductions.softmax, (rows,)),
        ("layer_norm 16384x8192", reductions.layer_norm, (rows, weight, bias)),
        ("rms_norm 16384x8192", reductions.rms_norm, (rows, weight)),
        (
            "cross_entropy 16384x32000",
            reductions.cross_entropy,
            (torch.randn(16384, 32000, **bf16), torch.randint(0, 32000, (16384,), device="cuda")),
        ),
    ]


def sweep(kernel, args, tuned_ms: float) -> dict:
    """Every configuration of the kernel's full space that compiles and agrees, timed."""
    from transpiler.run.autotune import _agrees
    from transpiler.run.compile_pool import compile_pool
    from transpiler.run.precompile import precompile
    from transpiler.run.tune_settings import tune_settings
    from transpiler.run.tune_space import device_target
    from transpiler.run.tuning import tuning_space

    device = device_target()
    space, _ = tuning_space(kernel, args, tune_settings({"autotune_effort": "full"}), device)
    bind = lambda c: kernel.bind(args, c).launcher  # noqa: E731
    compiled = precompile(
        bind, [None, *space], args, device, compile_pool(os.cpu_count() or 1),
        timeout=30.0, deadline=time.monotonic() + 45.0,
    )  # fmt: skip
    expected = bind(None)(*args) if any(c is None for c in compiled.fitting) else None
    timed = []
    for config in compiled.fitting:
        launcher = bind(config)
        result = launcher(*args)
        if expected is not None and not _agrees(result, expected):
            continue
        timed.append((config, bench(launcher, *args)))
    best = min(timed, key=lambda entry: entry[1])
    return {"space": len(space), "swept": len(timed), "best": best[0], "best_ms": best[1],
            "tuned_over_best": tuned_ms / best[1],
            "dropped": [[c, why] for c, why in compiled.dropped]}  # fmt: skip


def run_workloads(swept: list[str]) -> list[dict]:
    table = []
    for label, kernel, args in workloads():
        entry: dict = {"workload": label}
        try:
            entry["first_s"] = first_call(kernel, args)
            entry["timed"] = len(kernel.last_tuning)
            entry["tuned_ms"] = bench(kernel, *args)
            entry["pick"] = kernel.last_tuning and min(kernel.last_tuning, key=lambda e: e[1])[0]
            if any(label.startswith(prefix) for prefix in swept):
                entry.update(sweep(kernel, args, entry["tuned_ms"]))
        except Exception as error:  # noqa: BLE001 - reported in the table
            entry["error"] = f"{type(error).__name__}: {str(error)[:300]}"
        print(json.dumps(entry, default=str), flush=True)
        table.append(entry)
    return table


def kernel_cases() -> list[dict]:
    """One case per kernel of tests/kernels: the one with the most elements."""
    cases = json.loads((ROOT / "tests/helion_oracle_cases.json").read_text())
    largest: dict[tuple, dict] = {}
    for case in cases:
        size = sum(math.prod(a["shape"]) for a in case["args"] if "shape" in a)
        key = (case["file"], case["kernel"])
        if key not in largest or size > largest[key][0]:
            largest[key] = (size, case)
    return [case for _, case in largest.values()]


def run_kernels(seconds: float, start: int = 0) -> list[dict]:
    from helion_oracle import make

    ends = time.monotonic() + seconds
    modules: dict = {}
    generator = torch.Generator().manual_seed(17)
    table = []
    for case in kernel_cases()[start:]:
        entry = {"kernel": f"{case['file']}:{case['kernel']}"}
        if time.monotonic() > ends:
            entry["error"] = "not run: --kernels-seconds spent"
            table.append(entry)
            continue
        try:
            if case["file"] not in modules:
                modules[case["file"]] = user_module(case["file"])
            kernel = getattr(modules[case["file"]], case["kernel"])
            args = [make(spec, generator) for spec in case["args"]]
            args = tuple(a.cuda() if isinstance(a, torch.Tensor) else a for a in args)
            entry["first_s"] = first_call(kernel, args)
            entry["timed"] = len(getattr(kernel, "last_tuning", []))
        except Exception as error:  # noqa: BLE001 - reported in the table
            entry["error"] = f"{type(error).__name__}: {str(error)[:300]}"
        print(json.dumps(entry, default=str), flush=True)
        table.append(entry)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("."))
    parser.add_argument("--kernels-seconds", type=float, default=150.0)
    parser.add_argument("--start", type=int, default=0, help="skip the first N kernels")
    parser.add_argument("--no-workloads", action="store_true", help="the kernels only")
    parser.add_argument(
        "--sweep",
        default="matmul 16384,attention,softmax,cross_entropy",
        help="workloads (label prefixes, comma-separated) also swept; '' for none",
    )
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=options.out / "tuning.log", level=logging.INFO)
    print(torch.cuda.get_device_name(), "torch", torch.__version__, "triton", triton.__version__)
    swept = [p for p in options.sweep.split(",") if p]
    loads = [] if options.no_workloads else run_workloads(swept)
    kernels = run_kernels(options.kernels_seconds, options.start)
    (options.out / "time_to_tuned.json").write_text(
        json.dumps({"workloads": loads, "kernels": kernels}, indent=1, default=str)
    )
    print(f"\n{'workload':28} {'first s':>8} {'timed':>5} {'tuned ms':>9} {'best ms':>8} "
          f"{'tuned/best':>10}  pick")  # fmt: skip
    for r in loads:
        if "error" in r:
            print(f"{r['workload']:28} {r['error']}")
            continue
        best = f"{r['best_ms']:8.3f} {r['tuned_over_best']:10.3f}" if "best_ms" in r else " " * 19
        print(
            f"{r['workload']:28} {r['first_s']:8.1f} {r['timed']:5d} {r['tuned_ms']:9.3f} {best}  {r['pick']}"
        )
    times = [r["first_s"] for r in kernels if "first_s" in r]
    print(f"\n{'kernel':48} {'first s':>8} {'timed':>5}")
    for r in kernels:
        shown = f"{r['first_s']:8.2f} {r['timed']:5d}" if "first_s" in r else r["error"]
        print(f"{r['kernel']:48} {shown}")
    if times:
        print(f"\nkernels: {len(times)} of {len(kernels)} run; first call median "
              f"{statistics.median(times):.2f} s, max {max(times):.2f} s, "
              f"over 20 s: {sum(t > 20 for t in times)}")  # fmt: skip


if __name__ == "__main__":
    main()
