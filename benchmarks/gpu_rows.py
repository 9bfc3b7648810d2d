"""Row kernels on a GPU (issue 17): each spelling against eager, torch.compile and the copy floor.

    python3 benchmarks/gpu_rows.py --out $OUT [--budget-s 240] [--widths 32000] [--only NAME,...]

Cross-entropy, softmax, layer norm and RMS norm in bf16 at 16384 x 32000 and 16384 x 8192,
each in three spellings: ours (tests/kernels/reductions.py), the plain one a user writes first
(benchmarks/plain_kernels.py: one row per program, `torch.gather`, `.mean()` in host code) and
Helion's example (.helion_examples/, carried: git-ignored). Ours are autotuned by the
decorator's first-call search (budget --tune-s seconds). Every result is checked against
float64 first; the peers are timed in turns (bench.py's rounds); "% floor" is the time the
bytes the work must move take at the measured copy bandwidth, over the kernel's. Rows run in
order of priority (PRIORITY: the issue's targets first) until --budget-s has passed; the table
is printed last, DIR/rows.json holds every number and DIR/tuning.log every search. `--small`:
tiny sizes on the CPU interpreter (a check of this script).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import logging
import os
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench  # noqa: E402 - after the path
from workloads import Workload, spellings, workloads  # noqa: E402

from transpiler.analysis.perf import devices  # noqa: E402

# (width, kernel) in order of priority: the targets first (cross-entropy at 32,000
# columns; softmax, layer norm and RMS norm at 8,192), then the other rows
PRIORITY = (
    (32000, "cross_entropy"),
    (8192, "layer_norm"),
    (8192, "rms_norm"),
    (8192, "softmax"),
    (32000, "layer_norm"),
    (32000, "softmax"),
    (32000, "rms_norm"),
    (8192, "cross_entropy"),
)
SPELLINGS = ("/plain", "/helion", "")  # "": ours
ROWS = 16384
SMALL = {32000: (37, 3001), 8192: (37, 300)}  # --small: (rows, width) on the CPU interpreter


def inputs(kernel: str, m: int, n: int):
    """(dtype, device) → the kernel's arguments at m rows of n."""

    def make(dtype: torch.dtype, device: str) -> tuple:
        x = torch.randn(m, n, dtype=dtype, device=device)
        if kernel == "cross_entropy":
            return x, torch.randint(0, n, (m,), device=device)
        weight = torch.randn(n, dtype=dtype, device=device)
        if kernel == "layer_norm":
            return x, weight, torch.randn(n, dtype=dtype, device=device)
        return (x, weight) if kernel == "rms_norm" else (x,)

    return make


def row_workloads(small: bool, widths: set[int] | None = None) -> list[Workload]:
    """Every (shape, kernel, spelling), in order of priority (`widths`: those shapes only)."""
    known = {w.name: w for w in workloads(small) + spellings(small)}
    chosen = []
    for width, kernel in PRIORITY:
        if widths and width not in widths:
            continue
        m, n = SMALL[width] if small else (ROWS, width)
        for spelling in SPELLINGS:
            base = known[kernel + spelling]
            chosen.append(dataclasses.replace(base, shape=f"[{m}, {n}]", make=inputs(kernel, m, n)))
    return chosen


def table(rows: list[dict]) -> str:
    header = (
        f"{'workload':22} {'shape':14} {'ours ms':>8} {'%floor':>7} {'eager':>7} "
        f"{'compile':>8} {'tune s':>7}  config / notes"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        peers = {p["peer"]: p for p in row["peers"]}
        ours = peers["ours"]
        ms = f"{ours['ms']:8.3f}" if ours.get("ms") else f"{'—':>8}"
        floor = f"{ours['floor_%']:7.1f}" if "floor_%" in ours else f"{'':7}"
        ratios = [
            f"{peers[p]['vs_ours']:6.2f}x" if "vs_ours" in peers.get(p, {}) else f"{'—':>7}"
            for p in ("eager", "compile")
        ]
        tuning = row.get("tuning") or {}
        seconds = f"{tuning['s']:7.1f}" if "s" in tuning else f"{'':7}"
        notes = [f"{p['peer']}: {p['note']}" for p in row["peers"] if p.get("note")]
        notes += [f"{p['peer']} WRONG" for p in row["peers"] if p.get("ok") is False]
        config = json.dumps(tuning.get("config")) if tuning.get("config") else ""
        if tuning and not tuning.get("config"):
            config = "the default config (it won its search, or the search kept none)"
        lines.append(
            f"{row['workload']:22} {row['shape']:14} {ms} {floor} {ratios[0]} {ratios[1]:>8} "
            f"{seconds}  {'; '.join([config, *notes]).strip('; ')}"
        )
    return "\n".join(lines)


def warm_compile_workers() -> None:
    """Start the searches' compile processes now: each imports torch and Triton (seconds), which
    would otherwise come out of the first row's search budget (the 13:4x run: 9.8 s)."""
    from transpiler.run.compile_pool import _Process, compile_pool
    from transpiler.run.tune_settings import tune_settings

    pool = compile_pool(tune_settings({}).workers)
    pool._idle.extend(_Process() for _ in range(pool.size))  # ready by the first compile


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--budget-s", type=float, default=240.0, help="no new row after this")
    parser.add_argument(
        "--tune-s", type=float, default=20.0,
        help="each search's budget (6 s compiled nothing on the H200: transpiling and recording "
        "the candidates' launches alone takes longer)",
    )  # fmt: skip
    parser.add_argument("--widths", default="", help="32000 and / or 8192 (default: both)")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (peers in turns)")
    parser.add_argument("--only", default="", help="workload names, e.g. cross_entropy/plain")
    parser.add_argument("--small", action="store_true", help="tiny sizes (a check)")
    options = parser.parse_args(argv)
    started = time.monotonic()
    # torch.compile, seeing a second shape of the same function, would compile a dynamic-shape
    # kernel (the 17:3x run's 8,192-wide peers: 30% of the floor for layer norm): static
    # kernels per shape, as a user with one shape gets
    torch._dynamo.config.automatic_dynamic_shapes = False
    torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, 64)
    os.environ["HELION_AUTOTUNE_BUDGET_SECONDS"] = str(options.tune_s)
    bench.ROUNDS = options.rounds
    device = "cuda" if torch.cuda.is_available() else "cpu"
    small = options.small or device == "cpu"
    options.out.mkdir(parents=True, exist_ok=True)
    # every search's candidates, drops, timings and pick (run/tuning.py, run/autotune.py)
    log = logging.FileHandler(options.out / "tuning.log")
    log.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("transpiler.autotune").addHandler(log)
    logging.getLogger("transpiler.autotune").setLevel(logging.INFO)
    if device == "cuda":
        warm_compile_workers()
    peaks = devices.measure_peaks()
    known = devices.current_device() if device == "cuda" else None
    report: dict = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "gpu": torch.cuda.get_device_name() if device == "cuda" else None,
        "versions": bench._versions(False),
        "measured": peaks.__dict__ if peaks else None,
        "rows": [],
    }
    wanted = {name for name in options.only.split(",") if name}
    widths = {int(w) for w in options.widths.split(",") if w}
    for workload in row_workloads(small, widths):
        if wanted and workload.name not in wanted:
            continue
        if time.monotonic() - started > options.budget_s:
            print(f"skipped {workload.name} {workload.shape}: time budget", flush=True)
            continue
        row = bench.bench_workload(workload, torch.bfloat16 if not small else torch.float32,
                                   device, False, tune=True)  # fmt: skip
        row["peers"] = [p for p in row["peers"] if p["peer"] != "helion"]  # not timed here
        bench.add_rates(row, known)
        report["rows"].append(row)
        print(table([row]).split("\n", 2)[2], flush=True)
        (options.out / "rows.json").write_text(json.dumps(report, indent=2))
        if device == "cuda":
            torch.cuda.empty_cache()
    print(f"\n{report['gpu'] or 'CPU (interpreter, tiny sizes)'}; versions {report['versions']}")
    if peaks:
        print(f"measured copy bandwidth {peaks.copy_bandwidth / 1e9:.0f} GB/s")
    print("peer columns: peer ms / ours (above 1: ours is faster)")
    print(table(report["rows"]))
    return report


if __name__ == "__main__":
    main()
