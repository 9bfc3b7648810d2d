"""Every interpreted launch of a generated kernel also compiled for a GPU target (for CI).

Triton's CPU interpreter runs code that its GPU compiler rejects; `install("sm_90")` makes
each launch of a transpiler-generated kernel under the interpreter compile the same launch
(same signature, constexprs and options) for the target too, once per distinct
specialisation. The compile runs in the worker subprocess while the interpreter goes on;
`drain()` waits for those under way and raises GPUCompileError, with Triton's message at the
user's line, for one that failed (`install(..., wait=True)` waits at each launch instead).
tests/conftest.py installs it from $TRANSPILER_COMPILE_CHECK and drains after each test."""

from __future__ import annotations

import linecache
import os
import time
from concurrent.futures import Future
from typing import Any

from .capture import launch_of
from .client import submit
from .table import target_named

ENVIRONMENT = "TRANSPILER_COMPILE_CHECK"  # target names, "sm_90,gfx942"; "" or "0": no check
# launches checked, distinct specialisations compiled, the worker's seconds in Triton's
# compiler for them, seconds tests waited for compiles at their end
STATISTICS: dict[str, float] = {"launches": 0, "compiled": 0, "compiling": 0.0, "waited": 0.0}
_PENDING: list[Future] = []
_SEEN: set[tuple] = set()


def install_from_environment(default: str = "", *, wait: bool = True) -> str | None:
    """Install for $TRANSPILER_COMPILE_CHECK (else `default`); the target checked, or None."""
    name = os.environ.get(ENVIRONMENT, default)
    if name in ("", "0"):
        return None
    install(name, wait=wait)
    return name


def install(name: str, *, wait: bool = True) -> None:
    """Wrap the interpreter's launch so generated kernels are compiled for `name` as well
    (several targets: names separated by commas)."""
    from triton.runtime.interpreter import InterpretedFunction

    targets = [target_named(part.strip()) for part in name.split(",") if part.strip()]
    run = InterpretedFunction.run
    original = getattr(run, "original_run", run)

    def checked_run(self: Any, *args: Any, grid: Any, warmup: bool, **kwargs: Any) -> Any:
        result = original(self, *args, grid=grid, warmup=warmup, **kwargs)
        if not warmup and _generated(self.fn.__code__.co_filename):
            launch = launch_of(self, args, kwargs, grid)
            STATISTICS["launches"] += 1
            for target in targets:
                future = submit(launch, target)
                if (target.name, launch.key()) not in _SEEN:
                    _SEEN.add((target.name, launch.key()))
                    STATISTICS["compiled"] += 1
                    future.add_done_callback(_count_seconds)
                _PENDING.append(future)
            if wait:
                drain()
        return result

    checked_run.original_run = original  # type: ignore[attr-defined]
    InterpretedFunction.run = checked_run


def drain() -> None:
    """Wait for the compiles under way; raise the first one's error."""
    started = time.perf_counter()
    pending, _PENDING[:] = list(_PENDING), []
    try:
        for future in pending:
            future.result()
    finally:
        STATISTICS["waited"] += time.perf_counter() - started


def _count_seconds(future: Future) -> None:
    if future.exception() is None:
        STATISTICS["compiling"] += future.result().compile_seconds


def uninstall() -> None:
    from triton.runtime.interpreter import InterpretedFunction

    run = InterpretedFunction.run
    InterpretedFunction.run = getattr(run, "original_run", run)


def _generated(path: str) -> bool:
    """A module the transpiler wrote (generated or exported), not Triton written by hand."""
    first = linecache.getline(path, 1)
    return first.startswith('"""Triton kernels') and "by transpiler" in first
