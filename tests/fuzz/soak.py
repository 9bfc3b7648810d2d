"""Soak run of the fuzzers: many random kernels (or mutants) within a time budget, then counts.

    .venv/bin/python tests/fuzz/soak.py --minutes 10 [--seed 1] [--workers 4] [--json out.json]
    .venv/bin/python tests/fuzz/soak.py --syntax --minutes 5    # the syntax fuzzer instead
    python tests/fuzz/soak.py --interpret --workers 16 --minutes 7   # CPU cores of a GPU machine

On a machine with CUDA the kernels run compiled on the GPU (inputs are made on the CPU and
moved there); otherwise, or with --interpret, in Triton's interpreter on CPU tensors. Each
worker is a process with its own batch seeds (seed + worker, seed + worker + workers, ...) and
its own TRANSPILER_CACHE_DIR; their counts are merged into one table. A worker that crashes or
hangs is reported with the kernel it was running; the run ends within the budget + 30 s.
Failures are not shrunk here: each one's kernel and inputs are printed (and saved with --save)
to become a regression test.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import queue
import sys
import tempfile
import time
import traceback
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
BATCH = 50  # examples per Hypothesis run; the budget is checked before every example
GRACE_S = 120.0  # how long past the budget a worker may take before it is stopped (a 3-D
# kernel of 64 x 64 x 64 blocks takes Triton over 30 s to compile on the GPU machine)
COUNTS = ("kernels", "inputs", "skipped_inputs")


class OutOfTime(Exception):
    """Raised inside a Hypothesis run to end its batch when the budget is spent."""


def _import_path() -> None:
    for path in (str(TESTS), str(TESTS.parent)):
        if path not in sys.path:
            sys.path.insert(0, path)


def run_batch(batch_seed: int, deadline: float, tally, failures: list[str], current: Path):
    """One Hypothesis run of up to BATCH kernels, recording failures instead of raising."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
    from hypothesis import strategies as st

    from fuzz.differential import FuzzFailure, check
    from fuzz.strategies import cases, kernels

    @seed(batch_seed)
    @settings(
        max_examples=BATCH,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def one_kernel(data: st.DataObject) -> None:
        kernel = data.draw(kernels())
        inputs = [data.draw(cases(kernel)) for _ in range(data.draw(st.integers(1, 3)))]
        if time.monotonic() > deadline:  # after the draws, which must not depend on the time
            raise OutOfTime
        described = "\n".join(f"inputs: {case.description}" for case in inputs)
        current.write_text(f"{kernel.source}\n{described}\n")
        try:
            check(kernel, inputs, tally)
        except FuzzFailure as failure:
            tally.add_failure(failure.kind)
            failures.append(str(failure))

    one_kernel()


def run_syntax_batch(batch_seed: int, deadline: float, tally, failures: list[str], current):
    """One Hypothesis run of up to 10 * BATCH mutants, arbitrary texts and shuffled kernels."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
    from hypothesis import strategies as st

    from fuzz.mutations import mutants, shuffled_kernels
    from fuzz.syntax_checks import assert_clean_outcome

    sources = st.one_of(mutants().map(lambda pair: pair[1]), st.text(max_size=300))
    sources = st.one_of(sources, shuffled_kernels())

    @seed(batch_seed)
    @settings(
        max_examples=10 * BATCH,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @given(sources)
    def one_source(source: str) -> None:
        if time.monotonic() > deadline:
            raise OutOfTime
        tally.kernels += 1
        current.write_text(source)
        try:
            assert_clean_outcome(source)
        except Exception as failure:  # noqa: BLE001 - every escape is a finding
            kind = "internal-error" if "InternalTranspilerError" in repr(failure) else "escape"
            tally.add_failure(kind)
            failures.append(
                f"{kind}: {type(failure).__name__}: {failure}\n--- source ---\n{source}"
            )

    one_source()


def _snapshot(worker: int, tally, failures: list[str], batches: list[int], done: bool) -> dict:
    from fuzz.differential import DEVICE
    from transpiler.run.runtime import interpreting

    counts = {name: getattr(tally, name) for name in COUNTS}
    return {
        "worker": worker,
        "done": done,
        "device": DEVICE,
        "interpreter": interpreting(),
        **counts,
        "failures": dict(tally.failures),
        "skip_reasons": dict(tally.skip_reasons),
        "texts": list(failures),
        "batches": list(batches),
    }


def worker_main(worker: int, options: argparse.Namespace, deadline_s: float, results) -> None:
    """One worker process: batches until the budget is spent, a snapshot after each."""
    workdir = Path(options.workdir) / f"worker{worker}"
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["TRANSPILER_CACHE_DIR"] = str(workdir / "cache")
    _import_path()
    import torch

    import transpiler  # noqa: F401  (first: it picks Triton's interpreter when there is no GPU)

    torch.set_num_threads(1)
    from fuzz.differential import Tally

    deadline = time.monotonic() + deadline_s
    tally, failures, batches = Tally(), [], []
    batch = options.seed + worker
    run = run_syntax_batch if options.syntax else run_batch
    while time.monotonic() < deadline and tally.kernels < options.max_kernels:
        try:
            run(batch, deadline, tally, failures, workdir / "current.txt")
        except OutOfTime:
            pass
        except Exception:  # noqa: BLE001 - reported, and the worker goes on
            tally.add_failure("worker-error")
            failures.append(f"worker-error in batch {batch}:\n{traceback.format_exc()}")
        batches.append(batch)
        batch += options.workers
        results.put(_snapshot(worker, tally, failures, batches, done=False))
    results.put(_snapshot(worker, tally, failures, batches, done=True))


def supervise(
    options: argparse.Namespace, target=worker_main, grace_s: float = GRACE_S
) -> tuple[dict[int, dict], list[str]]:
    """Start the workers, collect their snapshots, and report those that crash or hang."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    budget_s = 60 * options.minutes
    started = time.monotonic()
    workers = {
        n: context.Process(target=target, args=(n, options, budget_s, results), daemon=True)
        for n in range(options.workers)
    }
    for process in workers.values():
        process.start()
    latest: dict[int, dict] = {}
    problems: list[str] = []
    lost: set[int] = set()
    last_print = 0.0
    while True:
        try:
            snapshot = results.get(timeout=1.0)
            latest[snapshot["worker"]] = snapshot
        except queue.Empty:
            pass
        now = time.monotonic() - started
        for n, process in workers.items():
            if n in lost or latest.get(n, {}).get("done"):
                continue
            if process.is_alive():
                if now > budget_s + grace_s:
                    process.kill()
                    process.join()
                    problems.append(_stuck(options, n, f"still running {now:.0f}s in: stopped"))
                    lost.add(n)
                continue
            _drain(results, latest)
            if not latest.get(n, {}).get("done"):
                problems.append(_stuck(options, n, f"died (exit code {process.exitcode})"))
                lost.add(n)
        running = [n for n in workers if n not in lost and not latest.get(n, {}).get("done")]
        if now - last_print > 30 or not running:
            last_print = now
            total = merged(latest)
            print(
                f"[soak] {now:5.0f}s  workers running {len(running)}  "
                f"examples {total['kernels']}  inputs {total['inputs']}  "
                f"failures {sum(total['failures'].values())}",
                file=sys.stderr,
                flush=True,
            )
        if not running:
            return latest, problems


def _drain(results, latest: dict[int, dict]) -> None:
    while True:
        try:
            snapshot = results.get(timeout=0.2)
        except queue.Empty:
            return
        latest[snapshot["worker"]] = snapshot


def _stuck(options: argparse.Namespace, worker: int, what: str) -> str:
    current = Path(options.workdir) / f"worker{worker}" / "current.txt"
    text = current.read_text() if current.exists() else "(none recorded)"
    return f"worker-lost: worker {worker} {what}; its last example:\n{text}"


def merged(latest: dict[int, dict]) -> dict:
    """The workers' counts added up."""
    total: dict = {name: 0 for name in COUNTS} | {"failures": {}, "skip_reasons": {}}
    for snapshot in latest.values():
        for name in COUNTS:
            total[name] += snapshot[name]
        for key in ("failures", "skip_reasons"):
            for reason, count in snapshot[key].items():
                total[key][reason] = total[key].get(reason, 0) + count
    return total


def report(options: argparse.Namespace, latest: dict[int, dict], problems: list[str], wall: float):
    """Print the per-worker table and the totals; write --json and --save."""
    devices = {(s["device"], s["interpreter"]) for s in latest.values()}
    device = ", ".join(sorted({d for d, _ in devices})) or "unknown"
    interpreted = any(i for _, i in devices)
    total = merged(latest)
    texts = [text for n in sorted(latest) for text in latest[n]["texts"]] + problems
    for text in texts[: options.show]:
        print(f"\n{text}")
    if options.save:
        options.save.mkdir(parents=True, exist_ok=True)
        for number, text in enumerate(texts):
            (options.save / f"failure_{number}.txt").write_text(text)
    what = "sources" if options.syntax else "kernels"
    print(f"\n{'worker':>6}  {'batches':>8}  {what:>8}  {'inputs':>8}  {'failures':>8}")
    for n in range(options.workers):
        snap = latest.get(n, {"batches": [], "kernels": 0, "inputs": 0, "failures": {}})
        lost = any(p.startswith(f"worker-lost: worker {n} ") for p in problems)
        print(
            f"{n:>6}  {len(snap['batches']):>8}  {snap['kernels']:>8}  {snap['inputs']:>8}  "
            f"{sum(snap['failures'].values()):>8}{'  (lost)' if lost else ''}"
        )
    mode = " (Triton interpreter)" if interpreted else " (compiled)"
    print(f"\ndevice: {device}{mode}")
    size = 10 * BATCH if options.syntax else BATCH
    print(f"workers: {options.workers}; batch seeds {options.seed} + k, of up to {size} examples")
    print(f"{what}: {total['kernels']}")
    print(
        f"inputs checked: {total['inputs']} (skipped, reference refused: {total['skipped_inputs']})"
    )
    reasons = sorted(total["skip_reasons"].items(), key=lambda item: -item[1])
    for reason, count in reasons[:5]:
        print(f"    {count:6d}  {reason}")
    print(f"mismatches: {total['failures'].get('mismatch', 0)}")
    print(f"internal errors: {total['failures'].get('internal-error', 0)}")
    others = {k: v for k, v in total["failures"].items() if k not in ("mismatch", "internal-error")}
    print(f"other failures: {others or 0}")
    print(f"workers lost (crashed or hung): {len(problems)}")
    print(f"wall time: {wall:.0f}s")
    if options.json:
        summary = {
            "syntax": options.syntax,
            "device": device,
            "interpreter": interpreted,
            "workers": options.workers,
            "seed": options.seed,
            "minutes": options.minutes,
            "wall_s": round(wall, 1),
            **total,
            "workers_lost": len(problems),
            "per_worker": [
                {k: v for k, v in latest[n].items() if k != "texts"} for n in sorted(latest)
            ],
            "failure_texts": texts,
        }
        Path(options.json).write_text(json.dumps(summary, indent=1))
    return 1 if texts else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (wall clock)")
    parser.add_argument("--max-kernels", type=int, default=10**9, help="per worker")
    parser.add_argument("--seed", type=int, default=0, help="first batch seed")
    parser.add_argument("--workers", type=int, default=1, help="processes running batches")
    parser.add_argument(
        "--interpret",
        action="store_true",
        help="Triton's interpreter on CPU tensors even where there is CUDA",
    )
    parser.add_argument("--show", type=int, default=5, help="failures to print in full")
    parser.add_argument(
        "--grace", type=float, default=GRACE_S, help="seconds past the budget before a stop"
    )
    parser.add_argument("--save", type=Path, help="write each failure to DIR/failure_N.txt")
    parser.add_argument("--json", type=Path, help="write the counts and failures to PATH")
    parser.add_argument("--syntax", action="store_true", help="run the syntax fuzzer instead")
    options = parser.parse_args(argv)
    if options.workers < 1:
        parser.error("--workers must be at least 1")
    if options.interpret:  # set before the workers start: they inherit the environment
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        os.environ["TRITON_INTERPRET"] = "1"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="transpiler-soak-") as workdir:
        options.workdir = workdir
        latest, problems = supervise(options, grace_s=options.grace)
        return report(options, latest, problems, time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
