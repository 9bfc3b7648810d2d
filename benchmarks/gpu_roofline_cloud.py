"""The autotuner's candidates on the roofline: one tuned kernel call per figure, on the GPU.

Run on a CUDA machine: python benchmarks/gpu_roofline_cloud.py --out DIR
Each kernel goes through `transpiler.kernel`; its first call on new shapes searches, and
`transpiler.analysis.perf.roofline_figure` draws the search as a cloud with the default configuration
and what tuning bought. Writes DIR/<kernel>.png and DIR/cloud.json (the searches' timings).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from gpu_autotune import user_module  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("needs a CUDA GPU: the cloud is the autotuner's timed search")
        return 2
    from transpiler.analysis.perf import call_roofline

    options.out.mkdir(parents=True, exist_ok=True)
    matrix, reductions = user_module("matrix.py"), user_module("reductions.py")
    a = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
    rows = torch.randn(16384, 8192, device="cuda", dtype=torch.bfloat16)
    calls = {"matmul": (matrix.matmul, (a, a)), "softmax": (reductions.softmax, (rows,))}
    report = {}
    for name, (kernel, args) in calls.items():
        drawn = call_roofline(kernel, *args)
        drawn.figure(
            path=options.out / f"{name}.png", title=f"{name}: tuned on {drawn.device.name}"
        )
        search = drawn.tuning
        report[name] = {
            "ms": drawn.point.seconds * 1e3,
            "percent_of_attainable": drawn.chart().percent(drawn.point),
            "timings": [[config, ms] for config, ms in kernel.last_tuning],
            "speedup": None if search is None else search.speedup,
        }
        gain = "no search" if search is None else f"{len(search.candidates)} candidates"
        if search is not None and search.speedup is not None:
            gain += f", {search.speedup:.2f}x over the default"
        print(f"{name}: {drawn.point.seconds * 1e3:.4f} ms, {gain}")
    (options.out / "cloud.json").write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
