"""The derived row space against the old hand-picked lists, on a GPU (issue 17), in one call.

    python3 benchmarks/gpu_space.py --out $OUT [--budget-s 280] [--tune-s 15] [--small]
    bash benchmarks/gpu_space.sh            (on the device: wheels installed, logs tarred)

For each H200 row of the issue (bf16 softmax, layer norm and RMS norm at 16384 x 8192,
cross-entropy at 16384 x 32000), in our spelling and the plain one (Helion's too where
.helion_examples/ is carried), two first-call searches of the same kernel: "new", the space
run/row_rules.py derives for this GPU, and "old", the candidates the removed ROW_CONFIGS /
REDUCE_CONFIGS gave on sm_90 (tests/old_row_spaces.json, passed as `configs=`). Each pick is
checked against float64, then the two picks, torch eager and torch.compile are timed in turns
(ROUNDS rounds, the median of each); "% floor" is the time the bytes read once and written once
take at the measured copy bandwidth, over the kernel's. The new search runs first, so the old
one finds the configurations both share already compiled: its seconds are a lower bound.
Rows run until --budget-s has passed; the table is printed last; OUT/space.json holds every
number, OUT/tuning.log every search, and OUT/space_logs.tar.gz both. `--small`: tiny sizes on
the CPU interpreter (no search there: a check of this script).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import statistics
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import bench  # noqa: E402 - after the path
import gpu_rows  # noqa: E402
from text_tables import Column, text_table  # noqa: E402
from workloads import reference, relative_error  # noqa: E402

from transpiler.analysis.perf import devices, timing  # noqa: E402
from transpiler.run.runtime import Kernel  # noqa: E402

ROWS = ("cross_entropy", 32000), ("softmax", 8192), ("layer_norm", 8192), ("rms_norm", 8192)
SPELLINGS = ("", "/plain", "/helion")  # "": ours
ROUNDS = 5
OLD = json.loads((ROOT / "tests" / "old_row_spaces.json").read_text())


def chosen(small: bool) -> list:
    """(workload, old candidates) in order: the issue's rows in ours and the plain spelling,
    then in Helion's."""
    known = {(w.name, w.shape): w for w in gpu_rows.row_workloads(False)}
    ours_and_plain = [(k, w, s) for k, w in ROWS for s in SPELLINGS[:2]]
    picked = []
    for kernel, width, spelling in ours_and_plain + [(k, w, SPELLINGS[2]) for k, w in ROWS]:
        shape = f"[{gpu_rows.ROWS}, {width}]"
        workload = known[(kernel + spelling, shape)]
        if not (ROOT / workload.file).exists():
            continue  # Helion's examples not carried
        old = OLD[f"{workload.name} {shape}"]
        if small:
            m, n = gpu_rows.SMALL[width]
            workload = dataclasses.replace(
                workload, shape=f"[{m}, {n}]", make=gpu_rows.inputs(kernel, m, n)
            )
        picked.append((workload, old))
    return picked


def search(base: Kernel, args: tuple, configs: list | None) -> tuple[Kernel, dict | None, float]:
    """A first-call search of `base`'s function (`configs`: only those); (kernel, pick, s)."""
    settings = {**base.settings, "force_autotune": True}
    if configs is not None:
        settings["configs"] = configs
    kernel = Kernel(base.fn, **settings)
    started = time.perf_counter()
    config = kernel.tuned_config(args)
    return kernel, config, time.perf_counter() - started


def floor_bytes(args: tuple, result: torch.Tensor) -> int:
    """Bytes read once and written once: every tensor argument and the result."""
    tensors = [a for a in args if isinstance(a, torch.Tensor)] + [result]
    return sum(t.numel() * t.element_size() for t in tensors)


def run_row(workload, old: list, dtype: torch.dtype, device: str, bandwidth: float | None) -> dict:
    inputs = workload.make(dtype, device)
    args = workload.kernel_args(inputs)
    base = bench.user_kernel(workload)
    exact = reference(workload, inputs)
    row: dict = {"workload": workload.name, "shape": workload.shape, "peers": {}}
    functions = {}
    for name, configs in (("new", None), ("old", old)):
        try:
            kernel, config, seconds = search(base, args, configs)
            launcher = kernel.bind(args, config).launcher
            result = workload.pick(launcher(*args))
            error = relative_error(result, exact)
            row["peers"][name] = {"config": config, "search_s": seconds, "rel_error": error,
                                  "ok": error <= bench.TOLERANCE[dtype]}  # fmt: skip
            functions[name] = lambda *a, f=launcher: workload.pick(f(*workload.kernel_args(a)))
        except Exception as error:  # noqa: BLE001 - one search failing must not stop the run
            row["peers"][name] = {"note": f"{type(error).__name__}: {str(error)[:160]}"}
    functions["eager"] = workload.eager
    row["peers"]["eager"] = {}
    if device == "cuda":
        functions["compile"] = torch.compile(workload.eager, dynamic=False)
        row["peers"]["compile"] = {}
    samples: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(ROUNDS):  # in turns: each sees the same clock drift
        for name, function in functions.items():
            measured = timing.time_kernel(function, *inputs, rep_ms=60)
            if measured.ms is not None:
                samples[name].append(measured.ms)
    written = workload.eager(*inputs)
    for name, found in samples.items():
        peer = row["peers"].setdefault(name, {})
        peer["ms"] = statistics.median(found) if found else None
        if peer["ms"] and bandwidth:
            peer["floor_%"] = 100 * floor_bytes(inputs, written) / bandwidth / (peer["ms"] / 1e3)
    return row


def _number(peer: str, key: str, form: str) -> Callable[[dict], str | None]:
    """A peer's number, formatted (None where the peer has none)."""

    def cell(row: dict) -> str | None:
        value = row["peers"].get(peer, {}).get(key)
        return None if value is None else format(value, form)

    return cell


def _ratio(row: dict) -> str | None:
    """The old pick's time over the new one's (above 1: the new pick is faster)."""
    new_ms, old_ms = (row["peers"].get(n, {}).get("ms") for n in ("new", "old"))
    return f"{old_ms / new_ms:.3f}" if new_ms and old_ms else None


def _picks(row: dict) -> str:
    """Each search's pick (or its note), and which picks are wrong."""
    peers = row["peers"]
    picks = " / ".join(
        json.dumps(peers.get(n, {}).get("config")) if "note" not in peers.get(n, {})
        else f"{n}: {peers[n]['note']}" for n in ("new", "old")
    )  # fmt: skip
    wrong = [n for n in ("new", "old") if peers.get(n, {}).get("ok") is False]
    return picks + (f"  WRONG: {', '.join(wrong)}" if wrong else "")


COLUMNS = [
    Column("workload", 22, lambda row: row["workload"], left=True),
    Column("shape", 15, lambda row: row["shape"], left=True),
    Column("new ms", 8, _number("new", "ms", ".4f")),
    Column("%floor", 7, _number("new", "floor_%", ".1f")),
    Column("old ms", 8, _number("old", "ms", ".4f")),
    Column("%floor", 7, _number("old", "floor_%", ".1f")),
    Column("old/new", 7, _ratio),
    Column("eager", 7, _number("eager", "ms", ".4f")),
    Column("compile", 8, _number("compile", "ms", ".4f")),
    Column("new s", 6, _number("new", "search_s", ".1f")),
    Column("old s", 6, _number("old", "search_s", ".1f")),
    Column("new pick / old pick", 0, _picks),
]


def table(rows: list[dict]) -> str:
    return text_table(COLUMNS, rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--budget-s", type=float, default=280.0, help="no new row after this")
    parser.add_argument("--tune-s", type=float, default=15.0, help="each search's budget")
    parser.add_argument("--small", action="store_true", help="tiny sizes (a check)")
    options = parser.parse_args(argv)
    started = time.monotonic()
    device = gpu_rows.prepare(options.out, options.tune_s)
    small = options.small or device == "cpu"
    dtype = torch.bfloat16 if not small else torch.float32
    peaks = devices.measure_peaks()
    bandwidth = peaks.copy_bandwidth if peaks else None
    report: dict = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "gpu": torch.cuda.get_device_name() if device == "cuda" else None,
        "copy_bandwidth": bandwidth,
        "rows": [],
    }
    for workload, old in chosen(small):
        if time.monotonic() - started > options.budget_s:
            print(f"skipped {workload.name} {workload.shape}: time budget", flush=True)
            continue
        row = run_row(workload, old, dtype, device, bandwidth)
        gpu_rows.record(report, row, table, options.out / "space.json")
    with tarfile.open(options.out / "space_logs.tar.gz", "w:gz") as archive:
        for name in ("space.json", "tuning.log"):
            if (options.out / name).exists():
                archive.add(options.out / name, arcname=name)
    print(f"\n{report['gpu'] or 'CPU (interpreter, tiny sizes)'}", end="")
    print(f"; copy bandwidth {bandwidth / 1e9:.0f} GB/s" if bandwidth else "")
    print("old/new above 1: the derived space's pick is faster; eager / compile: their ms")
    print(table(report["rows"]))
    return report


if __name__ == "__main__":
    main()
