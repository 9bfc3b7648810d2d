"""Lab: is 97% of the copy floor reachable for the 8,192-wide rows in our code, and what does
torch.compile pick for them (issue 17)?

For softmax, layer norm and RMS norm (bf16, 16384 x 8192, our spelling, tests/kernels/), every
configuration of a grid wider than the search's space (rows per program x whole row or chunk x
warps x stages) is compiled, checked against float64 and timed in turns with torch.compile's
kernel (three rounds, medians); the table lists each kernel's best five and torch.compile, as %
of the copy floor measured in the same process. `--inductor-code DIR` writes the Triton code
torch.compile generated for each, to compare launch shapes. Run on the GPU machine:

    python3 benchmarks/lab/rows_sweep.py --out $OUT/sweep [--budget-s 240]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

import torch
from turns import in_turns

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import gpu_rows  # noqa: E402
from workloads import reference, relative_error, workloads  # noqa: E402

from transpiler.analysis.perf import devices  # noqa: E402

KERNELS = ("rms_norm", "softmax", "layer_norm")
ROWS, WIDTH = 16384, 8192


def grid() -> list[dict]:
    """Whole rows and chunk loops, wider than run/row_rules.py's space on purpose."""
    configs = []
    for rows, warps in itertools.product((1, 2, 4), (4, 8, 16, 32)):
        configs.append({"block_sizes": [rows], "reduction_loops": [None], "num_warps": warps})
    for rows, chunk, warps, stages in itertools.product(
        (1, 2), (1024, 2048, 4096), (2, 4, 8, 16), (1, 3)
    ):
        if chunk // warps >= 64:  # at least two 16-byte loads a thread
            configs.append({"block_sizes": [rows], "reduction_loops": [chunk], "num_warps": warps,
                            "num_stages": stages})  # fmt: skip
    return configs


def inductor_code(function, inputs) -> str:
    from torch._inductor.utils import run_and_get_code

    _, codes = run_and_get_code(torch.compile(function, dynamic=False), *inputs)
    return "\n\n".join(codes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--budget-s", type=float, default=240)
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    peaks = devices.measure_peaks(refresh=True)
    bandwidth = peaks.copy_bandwidth
    print(f"{torch.cuda.get_device_name()}: copy {bandwidth / 1e9:.0f} GB/s", flush=True)
    known = {w.name: w for w in workloads(False)}
    report = []
    for name in KERNELS:
        workload = known[name]
        inputs = gpu_rows.inputs(name, ROWS, WIDTH)(torch.bfloat16, "cuda")
        args = workload.kernel_args(inputs)
        exact = reference(workload, inputs)
        (options.out / f"{name}_inductor.py").write_text(inductor_code(workload.eager, inputs))
        from gpu_autotune import user_module

        base = getattr(user_module(workload.file), workload.kernel)
        compiled = torch.compile(workload.eager, dynamic=False)
        functions, notes = {"compile": lambda c=compiled, i=inputs: c(*i)}, {}
        for config in grid():
            if time.monotonic() - started > options.budget_s:
                notes["budget"] = "stopped at the budget"
                break
            key = json.dumps(config, sort_keys=True)
            try:
                launcher = base.bind(args, config).launcher
                error = relative_error(workload.pick(launcher(*args)), exact)
                if error > 2e-2:
                    notes[key] = f"wrong: {error:.3g}"
                    continue
                functions[key] = lambda f=launcher, a=args: f(*a)
            except Exception as failed:  # noqa: BLE001 - a config failing must not stop the sweep
                notes[key] = f"{type(failed).__name__}: {str(failed)[:100]}"
        samples = in_turns(functions, rounds=3, rep=40)
        written = workload.eager(*inputs)
        moved = sum(t.numel() * t.element_size() for t in [*inputs, written] if torch.is_tensor(t))
        floor_ms = moved / bandwidth * 1e3
        rows = sorted((statistics.median(v), k) for k, v in samples.items())
        report.append({"kernel": name, "floor_ms": floor_ms, "times": rows, "notes": notes})
        (options.out / "sweep.json").write_text(json.dumps(report, indent=1))
        print(f"\n{name}: {len(rows) - 1} configs timed, floor {floor_ms:.4f} ms", flush=True)
        for ms, key in rows[:5] + [r for r in rows if r[1] == "compile"]:
            print(f"  {100 * floor_ms / ms:5.1f}%  {ms:.4f} ms  {key}")
        for key, note in list(notes.items())[:4]:
            print(f"  note {key}: {note}")


if __name__ == "__main__":
    main()
