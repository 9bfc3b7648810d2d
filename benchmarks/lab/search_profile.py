"""Lab: where a row search's first call spends its time on a GPU (issue 17). The 21:2x H100
call logged softmax's search compiling 44 candidates in 1.5 s but timing them in 10.7 s
(0.24 s each), where a second search over candidates already loaded timed 15 in 0.6 s. This
profiles one first-call search per workload with fresh caches and prints the functions that
took the time (cumulative, then own time); OUT/NAME.pstats keeps each profile.

    TRANSPILER_CACHE_DIR=/tmp/tc_p TRITON_CACHE_DIR=/tmp/tr_p \\
      python3 benchmarks/lab/search_profile.py --out $OUT [softmax layer_norm ...]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench  # noqa: E402 - after the path
import gpu_rows  # noqa: E402
import gpu_space  # noqa: E402


def profile(workload, out: Path, lines: int) -> str:
    """One first-call search of `workload` (bf16, its shape) under cProfile; the report."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    args = workload.kernel_args(workload.make(torch.bfloat16, device))
    base = bench.user_kernel(workload)
    profiler = cProfile.Profile()
    profiler.enable()
    _, config, seconds = gpu_space.search(base, args, None)
    profiler.disable()
    profiler.dump_stats(out / f"{workload.name.replace('/', '_')}.pstats")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    return (
        f"===== {workload.name} {workload.shape}: {seconds:.1f} s, pick {config}\n"
        + text.getvalue()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=["softmax", "layer_norm"])
    parser.add_argument("--out", type=Path, default=Path("/tmp/search_profile"))
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--small", action="store_true", help="tiny shapes (a check on the CPU)")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    for workload in gpu_rows.row_workloads(options.small, {8192}):
        if workload.name in options.names:
            print(profile(workload, options.out, options.lines), flush=True)


if __name__ == "__main__":
    main()
