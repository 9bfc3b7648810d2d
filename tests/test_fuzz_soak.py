"""The soak runner's supervisor: workers' counts merged, a crashed or hung worker reported."""

from __future__ import annotations

import argparse
import os
import sys
import time

import pytest
from fuzz import soak


@pytest.fixture(autouse=True)
def main_module_with_a_spec(monkeypatch):
    """Spawned workers read `sys.modules["__main__"].__spec__`; IPython shells made by earlier
    tests in this process (the magic's tests) leave a `__main__` without one."""
    monkeypatch.setattr(sys.modules["__main__"], "__spec__", None, raising=False)


def _options(tmp_path, workers: int, minutes: float) -> argparse.Namespace:
    return argparse.Namespace(workers=workers, minutes=minutes, workdir=str(tmp_path))


def _counts(worker: int, kernels: int, done: bool) -> dict:
    return {
        "worker": worker,
        "done": done,
        "device": "cpu",
        "interpreter": True,
        "kernels": kernels,
        "inputs": 2 * kernels,
        "skipped_inputs": 0,
        "failures": {"mismatch": 1} if worker == 1 else {},
        "skip_reasons": {},
        "texts": ["mismatch: ..."] if worker == 1 else [],
        "batches": [worker],
    }


def counting_worker(worker: int, options, deadline_s: float, results) -> None:
    results.put(_counts(worker, 10 + worker, done=False))
    results.put(_counts(worker, 20 + worker, done=True))


def crashing_worker(worker: int, options, deadline_s: float, results) -> None:
    results.put(_counts(worker, 5, done=False))
    if worker == 1:
        current = os.path.join(options.workdir, "worker1")
        os.makedirs(current, exist_ok=True)
        with open(os.path.join(current, "current.txt"), "w") as file:
            file.write("the kernel it was running")
        results.close()
        results.join_thread()  # the snapshot above is sent; then an exit like a segfault's
        os._exit(3)
    results.put(_counts(worker, 6, done=True))


def hanging_worker(worker: int, options, deadline_s: float, results) -> None:
    results.put(_counts(worker, 7, done=worker == 0))
    if worker == 1:
        time.sleep(60)


def test_the_workers_counts_are_merged(tmp_path) -> None:
    latest, problems = soak.supervise(_options(tmp_path, 3, 0.1), target=counting_worker)
    assert problems == []
    total = soak.merged(latest)
    assert (total["kernels"], total["inputs"], total["failures"]) == (63, 126, {"mismatch": 1})


def test_a_crashed_worker_is_reported_with_its_last_example(tmp_path) -> None:
    latest, problems = soak.supervise(_options(tmp_path, 2, 0.1), target=crashing_worker)
    assert len(problems) == 1
    assert "worker 1 died (exit code 3)" in problems[0]
    assert "the kernel it was running" in problems[0]
    assert soak.merged(latest)["kernels"] == 11  # the crashed worker's last snapshot counts


def test_a_hung_worker_is_stopped_after_the_budget(tmp_path) -> None:
    started = time.monotonic()
    latest, problems = soak.supervise(
        _options(tmp_path, 2, 0.02), target=hanging_worker, grace_s=2.0
    )
    assert time.monotonic() - started < 20
    assert len(problems) == 1 and "worker 1 still running" in problems[0]
    assert soak.merged(latest)["kernels"] == 14
