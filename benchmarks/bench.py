"""Benchmark: generated kernels vs torch eager, torch.compile and Helion, against the roofline.

On a CUDA machine: python benchmarks/bench.py --out DIR [--dtypes bfloat16,float32] [--only add,...]
Measures the device's ceilings once (transpiler.analysis.perf.devices.measure_peaks), checks every result
against float64, times with triton.testing.do_bench (the median over rounds in which the peers
take turns), prints a table last and writes DIR/bench.json and DIR/roofline.png. Without a GPU (or with --small) it runs tiny sizes through
Triton's interpreter and times nothing: a check of this script, not a benchmark.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from workloads import (  # noqa: E402
    HELION_EXAMPLES,
    Workload,
    reference,
    relative_error,
    spellings,
    workloads,
)

import transpiler  # noqa: E402 - after the path; first, so Triton's interpreter is chosen
from transpiler.analysis.perf import Cost, analyse, devices, roofline, timing  # noqa: E402
from transpiler.analysis.perf.cost import launcher_block_sizes  # noqa: E402
from transpiler.run.runtime import load_module  # noqa: E402

TUNING: dict[str, dict] = {}  # workload → search seconds and the configuration found
TOLERANCE = {torch.float32: 1e-4, torch.float16: 5e-3, torch.bfloat16: 2e-2}
PEERS = ("ours", "eager", "compile", "helion")


def helion_module(file: str):
    """The workload's source file imported with the real `helion` (default config, no autotune).
    Helion reads HELION_AUTOTUNE_EFFORT when a kernel is decorated; the variable is set only
    while the module runs, since our own decorator reads the same variable (Helion's spelling)."""
    saved = os.environ.get("HELION_AUTOTUNE_EFFORT")
    os.environ["HELION_AUTOTUNE_EFFORT"] = "none"
    try:
        spec = importlib.util.spec_from_file_location(f"helion_{Path(file).stem}", ROOT / file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del os.environ["HELION_AUTOTUNE_EFFORT"]
        else:
            os.environ["HELION_AUTOTUNE_EFFORT"] = saved
    return module


def user_kernel(workload: Workload):
    """The workload's kernel as a user imports it against transpiler (helion → transpiler);
    Helion's examples through the harness's stand-ins for `helion._testing` and the like."""
    if not workload.file.startswith(HELION_EXAMPLES):
        from gpu_autotune import user_module  # its kernels autotune on their first call

        return getattr(user_module(workload.file), workload.kernel)
    import helion_shim

    with helion_shim.installed(transpile_only=False):
        spec = importlib.util.spec_from_file_location(
            f"example_{Path(workload.file).stem}", ROOT / workload.file
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return getattr(module, workload.kernel)


def ours(workload: Workload, args: tuple, tune: bool = False):
    """Transpile (specialised on the arguments), load; the generated code for block sizes.
    With `tune`, the kernel's autotuned configuration (searched now, or from the cache).
    The function returned takes the workload's inputs and returns the tensor compared."""
    kernel_args = workload.kernel_args(args)
    if tune or workload.file.startswith(HELION_EXAMPLES):
        kernel = user_kernel(workload)
        started = time.perf_counter()
        config = kernel.tuned_config(kernel_args) if tune else None
        TUNING[workload.name] = {"s": time.perf_counter() - started, "config": config}
        bound = kernel.bind(kernel_args, config)
        launcher, code = bound.launcher, bound.transpiled.code
    else:
        source = (ROOT / workload.file).read_text()
        code = transpiler.transpile_module(
            source, example_args={workload.kernel: kernel_args}, only=(workload.kernel,)
        ).code
        module = load_module(code, stem=f"bench_{workload.kernel}")
        launcher = getattr(module, workload.kernel)
    return lambda *inputs: workload.pick(launcher(*workload.kernel_args(inputs))), code


def poison_allocator(size_bytes: int, device: str) -> None:
    """Leave NaNs where the next outputs will be allocated: unwritten elements then show."""
    if device == "cuda":
        torch.full((size_bytes // 4 + 1,), float("nan"), device=device)


ROUNDS = 5  # timing rounds per workload; the peers take turns within each


def run_peer(peer: str, function, args: tuple, exact: torch.Tensor, dtype) -> dict:
    """One peer's result checked against float64 (timed later, with the others)."""
    row: dict = {"peer": peer}
    try:
        poison_allocator(exact.numel() * 4, str(args[0].device.type))
        result = function(*args)
        row["rel_error"] = relative_error(result, exact)
        row["ok"] = bool(row["rel_error"] <= TOLERANCE[dtype])
    except Exception as error:  # noqa: BLE001 - one peer failing must not stop the run
        first_line = str(error).splitlines()[0] if str(error) else ""
        row.update(ms=None, ok=None, note=f"error: {type(error).__name__}: {first_line[:160]}")
    return row


def time_peers(peers: list[dict], functions: dict, args: tuple) -> None:
    """Each peer's time: the median of its medians over ROUNDS rounds in which the peers take
    turns. A GPU's clock drifts with its temperature during a run (an H100 under a long
    matmul load slows by several percent): timing the peers one after another would favour
    whichever ran first; in turns, each sees the same drift."""
    timed = [row for row in peers if "ok" in row and row["ok"] is not None]
    samples: dict[str, list[float]] = {row["peer"]: [] for row in timed}
    for _ in range(ROUNDS):
        for row in timed:
            measured = timing.time_kernel(functions[row["peer"]], *args, rep_ms=60)
            if measured.ms is None:
                row["note"] = measured.reason
                continue
            samples[row["peer"]].append(measured.ms)
    for row in timed:
        found = samples[row["peer"]]
        row["ms"] = statistics.median(found) if found else None
        row["rounds_ms"] = found


def bench_workload(
    workload: Workload, dtype, device: str, has_helion: bool, tune: bool = False
) -> dict:
    args = workload.make(dtype, device)
    exact = reference(workload, args)
    # the cost of the work, from the project's own spelling (every spelling does the same work)
    costed = next(w for w in workloads(device == "cpu") if w.name == workload.name.split("/")[0])
    source = (ROOT / costed.file).read_text()
    work = analyse(source, costed.kernel, args)
    block_sizes: dict[str, int] = {}
    functions: dict = {"eager": workload.eager}
    notes: dict[str, str] = {}
    try:
        functions["ours"], code = ours(workload, args, tune and device == "cuda")
        if costed.name == workload.name:
            block_sizes = launcher_block_sizes(code, work.block_names())
    except transpiler.TranspileError as error:
        notes["ours"] = "not supported yet: " + str(error).splitlines()[0]
    except Exception as error:  # noqa: BLE001 - one spelling failing must not stop the run
        notes["ours"] = f"error: {type(error).__name__}: {str(error).splitlines()[0][:160]}"
    if device == "cuda":
        functions["compile"] = torch.compile(workload.eager)
    else:
        notes["compile"] = "skipped on CPU"
    if has_helion and device == "cuda":
        try:
            theirs = getattr(helion_module(workload.file), workload.kernel)
            functions["helion"] = lambda *a: workload.pick(theirs(*workload.kernel_args(a)))
        except Exception as error:  # noqa: BLE001
            notes["helion"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
    else:
        notes["helion"] = "helion not importable" if not has_helion else "skipped on CPU"
    cost = work.cost(block_sizes)
    peers = []
    for peer in PEERS:
        if peer in functions:
            peers.append(run_peer(peer, functions[peer], args, exact, dtype))
        else:
            peers.append({"peer": peer, "ms": None, "ok": None, "note": notes.get(peer, "")})
    time_peers(peers, functions, args)
    dtype_name = str(dtype).removeprefix("torch.")
    return {
        "workload": workload.name,
        "dtype": dtype_name,
        "shape": workload.shape,
        "flops": cost.flops,
        "dot_flops": cost.dot_flops,
        "min_bytes": cost.min_bytes,
        "tiled_bytes": cost.tiled_bytes,
        "block_sizes": work.block_sizes(block_sizes),
        "precision": roofline.precision_for(cost, dtype_name),
        "tuning": TUNING.pop(workload.name, None),
        "peers": peers,
    }


def add_rates(row: dict, device: devices.Device | None) -> None:
    """GB/s (minimum bytes), TFLOP/s, % of the roofline floor, and each peer's time / ours."""
    cost = Cost(row["flops"], row["min_bytes"], row["tiled_bytes"], row["dot_flops"])
    ours_ms = row["peers"][0]["ms"]
    for peer in row["peers"]:
        if peer["ms"] is None:
            continue
        peer.update(timing.rates(cost, peer["ms"]))
        if device is not None:
            percent = roofline.percent_of_floor(cost, peer["ms"] * 1e-3, device, row["precision"])
            peer["floor_%"] = percent
        if ours_ms:
            peer["vs_ours"] = peer["ms"] / ours_ms


def table(rows: list[dict]) -> str:
    header = (
        f"{'workload':22} {'dtype':9} {'peer':8} {'ms':>8} {'GB/s':>7} {'TFLOP/s':>8} "
        f"{'%floor':>7} {'rel err':>8} {'peer/ours':>9}  note"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        for peer in row["peers"]:
            ms = peer.get("ms")
            numbers = (
                f"{ms:8.3f} {peer['GB/s']:7.0f} {peer['TFLOP/s']:8.1f} "
                f"{peer.get('floor_%', float('nan')):7.1f}"
                if ms
                else f"{'—':>8} {'':7} {'':8} {'':7}"
            )
            error = f"{peer['rel_error']:8.1e}" if "rel_error" in peer else f"{'':8}"
            ratio = f"{peer['vs_ours']:8.2f}x" if "vs_ours" in peer else f"{'':9}"
            flag = "WRONG " if peer.get("ok") is False else ""
            lines.append(
                f"{row['workload']:22} {row['dtype']:9} {peer['peer']:8} {numbers} {error} "
                f"{ratio}  {flag}{peer.get('note', '')}"
            )
    return "\n".join(lines)


def draw(rows: list[dict], device: devices.Device, path: Path) -> None:
    from transpiler.analysis.perf.plot import plot_roofline

    points = []
    for row in rows:
        ours_row = row["peers"][0]
        if ours_row.get("ms"):
            cost = Cost(row["flops"], row["min_bytes"], row["tiled_bytes"], row["dot_flops"])
            label = f"{row['workload']} {row['dtype']}"
            points.append(roofline.point(label, cost, ours_row["ms"] * 1e-3, row["precision"]))
    plot_roofline(device, points, title=f"Generated kernels on {device.name}", path=path)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dtypes", default="bfloat16,float32")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument(
        "--small", action="store_true", help="tiny sizes (a check, not a benchmark)"
    )
    parser.add_argument("--budget-s", type=float, default=330.0, help="skip workloads after this")
    parser.add_argument("--replot", type=Path, help="a bench.json: recompute rates, table, figure")
    parser.add_argument(
        "--tune", action="store_true", help="ours autotuned (transpiler.kernel's search)"
    )
    parser.add_argument(
        "--spellings",
        action="store_true",
        help="also each workload as a user writes it first and as Helion's example writes it",
    )
    options = parser.parse_args(argv)
    if options.replot:
        return replot(options.replot, options.out)
    started = time.monotonic()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    small = options.small or device == "cpu"
    options.out.mkdir(parents=True, exist_ok=True)
    peaks = devices.measure_peaks()
    known = devices.current_device() if device == "cuda" else None
    has_helion = importlib.util.find_spec("helion") is not None
    report: dict = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "gpu": torch.cuda.get_device_name() if device == "cuda" else None,
        "versions": _versions(has_helion),
        "measured": peaks.__dict__ if peaks else None,
        "device": known.name if known else None,
        "rows": [],
    }
    wanted = {name for name in options.only.split(",") if name}
    for dtype_name in options.dtypes.split(","):
        dtype = getattr(torch, dtype_name)
        for workload in workloads(small) + (spellings(small) if options.spellings else []):
            if (wanted and workload.name not in wanted) or dtype not in workload.dtypes:
                continue
            if time.monotonic() - started > options.budget_s:
                print(f"skipped {workload.name} {dtype_name}: time budget", flush=True)
                continue
            row = bench_workload(workload, dtype, device, has_helion, options.tune)
            add_rates(row, known)
            report["rows"].append(row)
            print(table([row]).split("\n", 2)[2], flush=True)
            (options.out / "bench.json").write_text(json.dumps(report, indent=2))
            if device == "cuda":
                torch.cuda.empty_cache()
    if known is not None:
        draw(report["rows"], known, options.out / "roofline.png")
    print(f"\n{report['gpu'] or 'CPU (interpreter, tiny sizes)'}; versions {report['versions']}")
    if peaks:
        print(
            f"measured: copy {peaks.copy_bandwidth / 1e9:.0f} GB/s, "
            f"bf16 matmul {peaks.bf16_matmul / 1e12:.0f} TFLOP/s"
        )
    print(table(report["rows"]))
    return report


def replot(path: Path, out: Path) -> dict:
    """Rates, % of floor, table and figure again from a run's JSON (no GPU needed)."""
    report = json.loads(path.read_text())
    peaks = devices.MeasuredPeaks(**report["measured"])
    known = devices.find_device(report["gpu"]).with_measured(peaks)
    for row in report["rows"]:
        add_rates(row, known)
    out.mkdir(parents=True, exist_ok=True)
    draw(report["rows"], known, out / "roofline.png")
    print(table(report["rows"]))
    return report


def _versions(has_helion: bool) -> dict[str, str]:
    import triton

    found = {"torch": torch.__version__, "triton": triton.__version__}
    if has_helion:
        from importlib.metadata import version

        found["helion"] = version("helion")
    return found


if __name__ == "__main__":
    main()
