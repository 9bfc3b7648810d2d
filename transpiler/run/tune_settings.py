"""The autotuner's settings, from the decorator's arguments or Helion's environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..compile.frontend.errors import ConfigError

EFFORTS = ("none", "quick", "full")
# effort → (most candidates compiled, timing repetitions in ms): "quick" compiles the cost
# model's first few, "full" the whole space; both inside the same wall-clock budget
EFFORT_LIMITS = {"none": (0, 0), "quick": (8, 10), "full": (10_000, 20)}
# setting (the decorator's keyword, as Helion spells it) → (environment variable, default)
SETTINGS = {
    "autotune_effort": ("HELION_AUTOTUNE_EFFORT", "full"),
    "autotune_budget_seconds": ("HELION_AUTOTUNE_BUDGET_SECONDS", 20.0),
    "autotune_compile_timeout": ("HELION_AUTOTUNE_COMPILE_TIMEOUT", 15.0),
    "autotune_precompile_jobs": ("HELION_AUTOTUNE_PRECOMPILE_JOBS", 0),  # 0: os.cpu_count()
}


@dataclass(frozen=True)
class TuneSettings:
    """How hard a first call searches: `effort`, the whole search's wall-clock `budget` (s,
    compiles included), one compile's `compile_timeout` (s), parallel compiling `jobs`."""

    effort: str = "full"
    budget: float = 20.0
    compile_timeout: float = 15.0
    jobs: int = 0

    @property
    def most_candidates(self) -> int:
        return EFFORT_LIMITS[self.effort][0]

    @property
    def timing_ms(self) -> int:
        """do_bench's `rep` for one candidate's timing."""
        return EFFORT_LIMITS[self.effort][1]

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


def tune_settings(kernel_settings: Mapping[str, Any]) -> TuneSettings:
    """The decorator's settings first, then the environment, then the defaults."""
    values = {}
    for name, (variable, default) in SETTINGS.items():
        value: Any = kernel_settings.get(name)
        if value is None:
            value = os.environ.get(variable, default)
        values[name] = _checked(name, variable, value, default)
    return TuneSettings(
        effort=values["autotune_effort"],
        budget=values["autotune_budget_seconds"],
        compile_timeout=values["autotune_compile_timeout"],
        jobs=int(values["autotune_precompile_jobs"]),
    )


def _checked(name: str, variable: str, value: Any, default: Any) -> Any:
    if isinstance(default, str):
        text = str(value).lower()
        if text not in EFFORTS:
            raise ConfigError(
                f"{name}={value!r} is not an autotuning effort",
                hint=f"pass one of {', '.join(map(repr, EFFORTS))} (or set {variable})",
            )
        return text
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if number < 0:
        raise ConfigError(
            f"{name}={value!r} is not a number of seconds (or jobs) at least 0",
            hint=f"pass a number such as {default} (or set {variable})",
        )
    return number
