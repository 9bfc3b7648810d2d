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
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench  # noqa: E402 - after the path
from text_tables import Column, text_table  # noqa: E402
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


def _ours(row: dict) -> dict:
    return next(p for p in row["peers"] if p["peer"] == "ours")


def _ratio(peer: str) -> Callable[[dict], str | None]:
    """A peer's time over ours, e.g. `1.25x` (above 1: ours is faster)."""

    def cell(row: dict) -> str | None:
        found = next((p for p in row["peers"] if p["peer"] == peer), {})
        return f"{found['vs_ours']:.2f}x" if "vs_ours" in found else None

    return cell


def _notes(row: dict) -> str:
    """The tuned config, the peers' notes, and any peer that is wrong."""
    tuning = row.get("tuning") or {}
    notes = [f"{p['peer']}: {p['note']}" for p in row["peers"] if p.get("note")]
    notes += [f"{p['peer']} WRONG" for p in row["peers"] if p.get("ok") is False]
    config = json.dumps(tuning.get("config")) if tuning.get("config") else ""
    if tuning and not tuning.get("config"):
        config = "the default config (it won its search, or the search kept none)"
    return "; ".join([config, *notes]).strip("; ")


COLUMNS = [
    Column("workload", 22, lambda row: row["workload"], left=True),
    Column("shape", 14, lambda row: row["shape"], left=True),
    Column("ours ms", 8, lambda row: f"{_ours(row)['ms']:.3f}" if _ours(row).get("ms") else None),
    Column("%floor", 7, lambda r: f"{_ours(r)['floor_%']:.1f}" if "floor_%" in _ours(r) else None, ""),
    Column("eager", 7, _ratio("eager")),
    Column("compile", 8, _ratio("compile")),
    Column("tune s", 7, lambda r: f"{r['tuning']['s']:.1f}" if "s" in (r.get("tuning") or {}) else None, ""),
    Column("config / notes", 0, _notes),
]  # fmt: skip


def table(rows: list[dict]) -> str:
    return text_table(COLUMNS, rows)


def warm_compile_workers() -> None:
    """Start the searches' compile processes now: each imports torch and Triton (seconds), which
    would otherwise come out of the first row's search budget (the 13:4x run: 9.8 s)."""
    from transpiler.run.compile_pool import compile_pool
    from transpiler.run.tune_settings import tune_settings

    compile_pool(tune_settings({}).workers).prestart()  # ready by the first compile


def prepare(out: Path, tune_s: float) -> str:
    """What every GPU row script sets before its rows: static torch.compile peers, each
    search's budget, OUT made, every search logged to OUT/tuning.log, the compile processes
    started; the device ("cuda" or "cpu")."""
    # torch.compile, seeing a second shape of the same function, would compile a dynamic-shape
    # kernel (the 17:3x run's 8,192-wide peers: 30% of the floor for layer norm): static
    # kernels per shape, as a user with one shape gets
    torch._dynamo.config.automatic_dynamic_shapes = False
    torch._dynamo.config.cache_size_limit = max(torch._dynamo.config.cache_size_limit, 64)
    os.environ["HELION_AUTOTUNE_BUDGET_SECONDS"] = str(tune_s)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out.mkdir(parents=True, exist_ok=True)
    # every search's candidates, drops, timings and pick (run/tuning.py, run/autotune.py)
    log = logging.FileHandler(out / "tuning.log")
    log.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("transpiler.autotune").addHandler(log)
    logging.getLogger("transpiler.autotune").setLevel(logging.INFO)
    if device == "cuda":
        warm_compile_workers()
    return device


def record(report: dict, row: dict, table: Callable[[list[dict]], str], path: Path) -> None:
    """A row done: into the report, printed as a line of the table, the report saved to
    `path`, the GPU's cached blocks freed for the next row."""
    report["rows"].append(row)
    print(table([row]).split("\n", 2)[2], flush=True)
    path.write_text(json.dumps(report, indent=2, default=str))
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


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
    bench.ROUNDS = options.rounds
    device = prepare(options.out, options.tune_s)
    small = options.small or device == "cpu"
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
        record(report, row, table, options.out / "rows.json")
    print(f"\n{report['gpu'] or 'CPU (interpreter, tiny sizes)'}; versions {report['versions']}")
    if peaks:
        print(f"measured copy bandwidth {peaks.copy_bandwidth / 1e9:.0f} GB/s")
    print("peer columns: peer ms / ours (above 1: ours is faster)")
    print(table(report["rows"]))
    return report


if __name__ == "__main__":
    main()
