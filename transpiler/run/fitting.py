"""A configuration that no search chose (the decorator's `config=`, or the defaults) checked
against the GPU before its first launch: compiled for the device, and replaced by one that fits,
with a warning, when the device cannot hold it; refused when none fits."""

from __future__ import annotations

import time
import warnings
from typing import Any

from ..analysis.targets.table import Target
from ..compile.frontend.errors import ConfigError
from .cache import cache_dir
from .compile_pool import compile_pool
from .precompile import FailureCache, Precompiled, precompile
from .tune_settings import tune_settings
from .tune_space import device_target
from .tuning import tuning_space

CHECK_SECONDS = 60.0  # the most the check of the given configuration and its fallbacks takes
FALLBACKS = 12  # of the kernel's search space, the cheapest few tried after the derived ones
SMALLEST_BLOCK = 16  # block sizes are halved down to this (tl.dot's smallest K)


class ConfigFallbackWarning(UserWarning):
    """The configuration given did not fit the device: another one ran instead."""


def fitting_config(kernel: Any, args: tuple, target: Target | None = None) -> dict | None:
    """None when the kernel's own configuration (its `config=` or the defaults) fits the
    device, or when the compiler could not tell in time (it is launched as it is); else the
    first fallback that fits: the given configuration with fewer stages, then with smaller
    blocks, then the cheapest of the kernel's search space."""
    device = target or device_target()
    settings = tune_settings(kernel.settings)
    bind = lambda config: kernel.bind(args, config).launcher  # noqa: E731
    failures = FailureCache(cache_dir() / "autotune_failures.json")
    pool = compile_pool(settings.workers)
    started = time.monotonic()

    def compiled(configs: list) -> Precompiled:
        return precompile(
            bind, configs, args, device, pool, timeout=settings.compile_timeout,
            deadline=started + CHECK_SECONDS, failures=failures,
        )  # fmt: skip

    own = compiled([None])
    why = own.reason(None)
    if why is None or not why.startswith("over "):
        return None  # it fits, or the compiler could not tell: launched as it is
    given = kernel.settings.get("config")
    fallbacks = derived(dict(given)) if given else []
    outcome = compiled(fallbacks) if fallbacks else Precompiled()
    if not outcome.fitting:  # then the cheapest of the kernel's own space
        space, _ = tuning_space(kernel, args, settings, device)
        others = [c for c in space[:FALLBACKS] if c not in fallbacks]
        fallbacks += others
        outcome = compiled(others) if others else outcome
    what = f"the configuration {dict(given)}" if given else "the default configuration"
    limit = why.removeprefix("over ")
    if not outcome.fitting:
        tried = f"; nor did {len(fallbacks)} smaller ones" if fallbacks else ""
        raise ConfigError(
            f"{kernel.name}: {what} does not fit {device.gpu or device.name}: {limit}{tried}",
            hint="give smaller block_sizes or num_stages in config=, or loop over the "
            "dimension held whole (`for tile_k in hl.tile(k)`)",
        )
    chosen = outcome.fitting[0]
    warnings.warn(
        f"{kernel.name}: {what} does not fit {device.gpu or device.name} ({limit}); "
        f"running {chosen} instead",
        ConfigFallbackWarning,
        stacklevel=5,  # the call of the kernel
    )
    return chosen


def derived(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The given configuration with fewer pipeline stages, then with its block sizes halved
    (the largest first) with at most two stages: closest to what the user asked first."""
    out: list[dict[str, Any]] = []
    stages = int(config.get("num_stages", 3))
    for fewer in range(stages - 1, 0, -1):
        out.append({**config, "num_stages": fewer})
    sizes = list(config.get("block_sizes") or [])
    while True:
        numbers = [s for s in sizes if isinstance(s, int) and s > SMALLEST_BLOCK]
        if not numbers:
            break
        largest = max(numbers)
        sizes = [s // 2 if s == largest else s for s in sizes]
        out.append({**config, "block_sizes": list(sizes), "num_stages": min(stages, 2)})
    return out
