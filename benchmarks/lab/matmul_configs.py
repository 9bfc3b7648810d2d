"""Lab: our generated bf16 matmul (benchmarks/kernels.py::matmul, 8192³) at chosen configs.

Each config is transpiled, checked against float64 and timed against cuBLAS in turns (five
rounds, median of the round medians). The configs: our search's pick, and the one Helion's
quick autotune chose for the same source (benchmarks/lab/time_to_fast.py printed it), with
TMA and persistent order each varied. Run on the GPU machine:

    python benchmarks/lab/matmul_configs.py [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import torch
from turns import in_turns

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import transpiler  # noqa: E402
from transpiler.run.runtime import load_module  # noqa: E402

OURS = {
    "block_sizes": [128, 256, 64],
    "num_warps": 8,
    "num_stages": 3,
    "l2_groupings": [8],
    "pid_type": "persistent_interleaved",
    "indexing": "tensor_descriptor",
}
HELIONS = {  # Helion 1.5.0's quick autotune, 2026-11-24 16:5x UTC on an H100
    "block_sizes": [128, 256, 64],
    "num_warps": 8,
    "num_stages": 3,
    "l2_groupings": [2],
    "pid_type": "persistent_blocked",
    "indexing": "pointer",
}
CONFIGS = {
    "ours": OURS,
    "helion's": HELIONS,
    "helion's + TMA": {**HELIONS, "indexing": "tensor_descriptor"},
    "helion's, interleaved": {**HELIONS, "pid_type": "persistent_interleaved"},
    "helion's, l2 8": {**HELIONS, "l2_groupings": [8]},
    "ours, blocked": {**OURS, "pid_type": "persistent_blocked"},
    "ours, pointers": {**OURS, "indexing": "pointer"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.manual_seed(0)
    x = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    y = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    exact = x[:256].double() @ y.double()
    source = (ROOT / "benchmarks/kernels.py").read_text()
    functions = {"cuBLAS": lambda: x @ y}
    errors = {}
    for name, config in CONFIGS.items():
        code = transpiler.transpile_module(
            source, example_args={"matmul": (x, y)}, only=("matmul",), config=config
        ).code
        kernel = load_module(code, stem=f"matmul_lab_{len(functions)}").matmul
        result = kernel(x, y)
        errors[name] = ((result[:256].double() - exact).norm() / exact.norm()).item()
        functions[name] = lambda kernel=kernel: kernel(x, y)
        print(name, f"rel err {errors[name]:.1e}", flush=True)
    samples = in_turns(functions, rounds=5, rep=200)
    cublas = statistics.median(samples["cuBLAS"])
    rows = []
    print("\n| config | ms | vs cuBLAS | rel err |\n|---|---|---|---|")
    for name, found in samples.items():
        ms = statistics.median(found)
        rows.append({"config": name, "ms": ms, "rounds": found, "error": errors.get(name)})
        error = f"{errors[name]:.1e}" if name in errors else "-"
        print(f"| {name} | {ms:.3f} | {cublas / ms:.3f} | {error} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
