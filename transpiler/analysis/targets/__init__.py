"""Generated kernels compiled for GPU targets on any machine (`BoundKernel.compile_for`)."""

from __future__ import annotations

from collections.abc import Callable

from .capture import Launch, record_launches
from .client import compile_launch
from .errors import GPUCompileError, MissingBackendError, TargetError, UnknownTargetError
from .result import Occupancy, TargetResult
from .table import TARGETS, Target, target_named


def compile_launcher(
    launcher: Callable, args: tuple, kwargs: dict, target: str | Target
) -> list[TargetResult]:
    """One result per kernel launch `launcher(*args, **kwargs)` makes, compiled for `target`
    (nothing is launched: the launches are recorded, then compiled in a subprocess)."""
    chosen = target if isinstance(target, Target) else target_named(target)
    launches = record_launches(launcher, args, kwargs, chosen)
    return [compile_launch(launch, chosen) for launch in launches]


__all__ = [
    "GPUCompileError",
    "Launch",
    "MissingBackendError",
    "Occupancy",
    "TARGETS",
    "Target",
    "TargetError",
    "TargetResult",
    "UnknownTargetError",
    "compile_launch",
    "compile_launcher",
    "target_named",
]
