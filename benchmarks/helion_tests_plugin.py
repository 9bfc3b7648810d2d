"""The pytest plugin benchmarks/helion_tests.py loads into each worker: installs the shim, times
each test out, and writes one JSON line per test (its outcome and why) to HELION_TESTS_OUT."""

from __future__ import annotations

import json
import os
import re
import signal
import traceback
from pathlib import Path
from typing import Any

import helion_tests_shim
import pytest
from helion_tests_shim import CodeInspected, HelionOnly, HelionOnlyError, Ledger

from transpiler.analysis.targets.errors import GPUCompileError
from transpiler.compile.frontend.errors import InternalTranspilerError, TranspileError

TIMEOUT = float(os.environ.get("HELION_TESTS_TIMEOUT", "60"))


class TestTimeout(BaseException):
    """The test ran past its time."""


def pytest_configure(config: pytest.Config) -> None:
    helion_tests_shim.install()
    helion_tests_shim.record_comparisons()


def _alarm(_signum: int, _frame: Any) -> None:
    raise TestTimeout(f"over {TIMEOUT:.0f} s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    Ledger.reset()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _ours(frame: traceback.FrameSummary) -> bool:
    """A frame of the transpiler, of the code it generated, or of Triton running that code."""
    name = frame.filename
    return "/transpiler/" in name or _generated(frame) or "/triton/" in name


def _generated(frame: traceback.FrameSummary) -> bool:
    """A frame of a generated module (the runner gives the transpiler its own cache folder)."""
    return frame.filename.startswith(os.environ.get("TRANSPILER_CACHE_DIR", "//"))


LAUNCHER_REFUSAL = re.compile(r"^line \d+: ")  # a launcher's check of an argument's values


def classify(error: BaseException | None) -> tuple[str, str]:
    """(outcome, one line of why) for a test that raised `error` (None: it passed)."""
    if error is None:
        skipped = f" ({Ledger.code_checks_skipped} code checks skipped)"
        return "pass", skipped if Ledger.code_checks_skipped else ""
    first = (str(error).strip().splitlines() or [""])[0][:160]
    kind = type(error).__name__
    frames = traceback.extract_tb(error.__traceback__)
    if isinstance(error, TestTimeout):
        return "timeout", first
    if isinstance(error, (InternalTranspilerError, GPUCompileError)):
        return "crash", f"{kind}: {first}"
    if isinstance(error, TranspileError):
        message = error.message.splitlines()[0] if getattr(error, "message", "") else first
        return "refused", f"{kind}: {message[:160]}"
    if isinstance(error, CodeInspected):
        if Ledger.kernels_run and Ledger.compared and not Ledger.last_comparison_failed:
            return "pass", f"(results compared; then read Helion's code: {first})"
        return "harness", f"reads the generated code: {first}"
    if isinstance(error, (HelionOnly, HelionOnlyError)):
        return "harness", f"{kind}: {first}"
    if first.startswith("DID NOT RAISE"):  # pytest.raises
        return "check", f"Helion raises, we did not: {first}"
    if isinstance(error, AssertionError):
        if Ledger.compared and Ledger.last_comparison_failed:
            return "wrong", f"{kind}: {_mismatch(error)}"
        if "not raised" in first:
            return "check", f"Helion raises, we did not: {first}"
        if Ledger.kernels_run:
            return "check", f"{kind}: {first} ({_where(frames)})"
        return "harness", f"{kind}: {first} ({_where(frames)})"
    if frames and _generated(frames[-1]) and LAUNCHER_REFUSAL.match(first):
        return "refused", f"launcher: {kind}: {first}"
    if frames and _ours(frames[-1]):
        return "crash", f"{kind}: {first} ({_where(frames)})"
    return "harness", f"{kind}: {first} ({_where(frames)})"


def _mismatch(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return "; ".join(lines[:3])[:200]


def _where(frames: list[traceback.FrameSummary]) -> str:
    if not frames:
        return "?"
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    if report.when == "setup" and report.skipped:
        _write(item, "skip", _skip_reason(report))
    elif report.when == "setup" and report.failed:
        _write(item, *classify(call.excinfo.value if call.excinfo else None))
    elif report.when == "call":
        if report.skipped:
            _write(item, "skip", _skip_reason(report))
        else:
            _write(item, *classify(call.excinfo.value if call.excinfo else None))


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    return str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)[:160]


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        why = str(report.longrepr).strip().splitlines()[-1][:200]
        _write_line({"test": report.nodeid, "outcome": "harness", "why": f"import: {why}"})


def _write(item: pytest.Item, outcome: str, why: str) -> None:
    _write_line({"test": item.nodeid, "outcome": outcome, "why": why})


def _write_line(record: dict) -> None:
    path = os.environ.get("HELION_TESTS_OUT")
    if path:
        with open(path, "a") as out:
            out.write(json.dumps(record) + "\n")
