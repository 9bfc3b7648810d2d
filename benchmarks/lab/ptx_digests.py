"""Lab: the sm_90 PTX of the row workloads at fixed configurations, as digests, so two commits'
device code can be compared on a machine without a GPU (issue 16 asks that speed not move when
generated code is tidied: identical PTX cannot move it). Source lines, file names and debug
sections are left out of each digest; the PTX's instruction count is printed beside it.

    TRITON_INTERPRET=1 PYTHONPATH=. python benchmarks/lab/ptx_digests.py > a.txt   (each checkout)

64 rows stand for the issue's 16,384 (the rows count reaches the code only through whole-tile
flags, true at both); the widths are the issue's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench  # noqa: E402 - after the path
import gpu_rows  # noqa: E402

ROWS = 64
# the H100's picks of 2026-12-05 21:2x (docs/performance.md), and the whole-row default
CONFIGS = (
    None,
    {"block_sizes": [1], "num_warps": 4, "reduction_loops": [None]},
    {"block_sizes": [2], "num_warps": 16, "reduction_loops": [None]},
    {"block_sizes": [1], "num_warps": 4, "reduction_loops": [4096], "num_stages": 3},
)


def code_lines(ptx: str) -> list[str]:
    """The PTX's instructions and declarations: no .loc / .file lines, comments, debug sections
    or the debug labels an inlined helper leaves (`$L__tmp83:`): they name source lines, files
    and calls, which tidying moves."""
    kept, debug = [], False
    for line in ptx.splitlines():
        text = line.strip()
        if text.startswith(".section") and "debug" in text:
            debug = True
        if debug or not text or text.startswith((".loc", ".file", "//", "$L__tmp")):
            continue
        kept.append(text)
    return kept


def main() -> None:
    for workload in gpu_rows.row_workloads(False, {8192, 32000}):
        if "/helion" in workload.name:
            continue  # Helion's examples: not in every checkout
        width = int(workload.shape.strip("[]").split(",")[1])
        kernel = workload.name.split("/")[0]
        workload = dataclasses.replace(workload, make=gpu_rows.inputs(kernel, ROWS, width))
        args = workload.kernel_args(workload.make(torch.bfloat16, "cpu"))
        bound = bench.user_kernel(workload).bind(args)
        for config in CONFIGS:
            try:
                results = bound.compile_for("sm_90", config)
            except Exception as error:  # noqa: BLE001 - a config this kernel cannot take
                print(f"{workload.name:24} {config}  {type(error).__name__}")
                continue
            for result in results:
                lines = code_lines(result.asm["ptx"])
                digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:12]
                print(f"{workload.name:24} {config}  {digest}  {len(lines)} lines", flush=True)


if __name__ == "__main__":
    main()
