"""Every interpreted launch of a generated kernel also compiled for a GPU target (for CI).

Triton's CPU interpreter runs code that its GPU compiler rejects; `install("sm_90")` makes
each launch of a transpiler-generated kernel under the interpreter compile the same launch
(same signature, constexprs and options) for the target too, once per distinct
specialisation, and raise GPUCompileError, with Triton's message at the user's line, when it
does not compile. tests/conftest.py installs it from $TRANSPILER_COMPILE_CHECK."""

from __future__ import annotations

import linecache
import os
import time
from typing import Any

from .capture import launch_of
from .client import compile_launch
from .table import target_named

ENVIRONMENT = "TRANSPILER_COMPILE_CHECK"  # a target name; "" or "0": no check
# launches checked, distinct specialisations compiled, seconds spent checking
STATISTICS: dict[str, float] = {"launches": 0, "compiled": 0, "seconds": 0.0}
_SEEN: set[tuple] = set()


def install_from_environment(default: str = "") -> str | None:
    """Install for $TRANSPILER_COMPILE_CHECK (else `default`); the target checked, or None."""
    name = os.environ.get(ENVIRONMENT, default)
    if name in ("", "0"):
        return None
    install(name)
    return name


def install(name: str) -> None:
    """Wrap the interpreter's launch so generated kernels are compiled for `name` as well."""
    from triton.runtime.interpreter import InterpretedFunction

    target = target_named(name)
    run = InterpretedFunction.run
    original = getattr(run, "original_run", run)

    def checked_run(self: Any, *args: Any, grid: Any, warmup: bool, **kwargs: Any) -> Any:
        result = original(self, *args, grid=grid, warmup=warmup, **kwargs)
        if not warmup and _generated(self.fn.__code__.co_filename):
            started = time.perf_counter()
            launch = launch_of(self, args, kwargs, grid)
            if launch.key() not in _SEEN:
                _SEEN.add(launch.key())
                STATISTICS["compiled"] += 1
            try:
                compile_launch(launch, target)
            finally:
                STATISTICS["launches"] += 1
                STATISTICS["seconds"] += time.perf_counter() - started
        return result

    checked_run.original_run = original  # type: ignore[attr-defined]
    InterpretedFunction.run = checked_run


def uninstall() -> None:
    from triton.runtime.interpreter import InterpretedFunction

    InterpretedFunction.run = getattr(
        InterpretedFunction.run, "original_run", InterpretedFunction.run
    )


def _generated(path: str) -> bool:
    """A module the transpiler wrote (generated or exported), not Triton written by hand."""
    first = linecache.getline(path, 1)
    return first.startswith('"""Triton kernels') and "by transpiler" in first
