"""Seconds to build a search's launchers on the CPU (issue 17): one transpile and one recorded
launch per configuration, as run/precompile.py builds them before compiling, for the first
configurations of a row workload's space fitted to sm_90 (132 SMs).

    PYTHONPATH=. .venv/bin/python benchmarks/lab/bind_seconds.py [WORKLOAD] [--count 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench  # noqa: E402 - after the path
import gpu_rows  # noqa: E402

from transpiler.analysis.targets.capture import record_launches  # noqa: E402
from transpiler.analysis.targets.table import TARGETS  # noqa: E402
from transpiler.run import tuning  # noqa: E402
from transpiler.run.tune_settings import tune_settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", nargs="?", default="layer_norm")
    parser.add_argument("--count", type=int, default=10)
    options = parser.parse_args()
    target = replace(TARGETS["sm_90"], gpu="H100", sms=132)
    workload = next(w for w in gpu_rows.row_workloads(small=False) if w.name == options.workload)
    kernel = bench.user_kernel(workload)
    width = int(workload.shape.strip("[]").split(",")[1])
    args = workload.kernel_args(gpu_rows.inputs(workload.name.split("/")[0], 64, width)(
        torch.float32, "cpu"
    ))  # fmt: skip
    space, _ = tuning.tuning_space(kernel, args, tune_settings(kernel.settings), target)
    chosen = space[1 : options.count + 1]  # the first is built by tuning_space itself
    started = time.perf_counter()
    for config in chosen:
        record_launches(kernel.bind(args, config).launcher, args, {}, target)
    seconds = time.perf_counter() - started
    print(f"{workload.name}: {len(chosen)} launchers built in {seconds:.2f} s")


if __name__ == "__main__":
    main()
