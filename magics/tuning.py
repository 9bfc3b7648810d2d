"""What the magic prints about a kernel's tuning (`transpiler.Tuning`): a search's outcome, or
a configuration read from the autotune cache."""

from __future__ import annotations

from typing import Any

from transpiler import Tuning

Timings = list[tuple[dict[str, Any] | None, float]]


def tuning_line(name: str, tuning: Tuning) -> str | None:
    """The line for a search made now or a configuration from the cache; None for one this
    session searched before (said then)."""
    if tuning.origin == "search":
        return search_line(name, tuning.config, tuning.timings)
    if tuning.origin == "cache":
        return cached_line(name, tuning.config or {})
    return None


def search_line(name: str, config: dict[str, Any] | None, timings: Timings) -> str:
    """One line saying what a search found: candidates, the choice, and the gain over the default."""
    if not timings:
        return f"autotune {name}: no candidate ran"
    # the choice's own time in the search (the finalists' rounds may pick one whose first
    # timing was not the lowest)
    best_ms = next((ms for c, ms in timings if (c or None) == (config or None)), None)
    best_ms = min(ms for _, ms in timings) if best_ms is None else best_ms
    default = next((ms for c, ms in timings if not c), None)
    chosen = "the default config" if not config else _config_text(config)
    line = f"autotune {name}: {len(timings)} candidates timed, chose {chosen} ({best_ms:.4f} ms)"
    if default is not None and config:
        line += f", {default / best_ms:.2f}x over the default ({default:.4f} ms)"
    return line


def cached_line(name: str, config: dict[str, Any]) -> str:
    """One line saying a configuration came from the autotune cache (no timings: no cloud)."""
    chosen = _config_text(config) if config else "the default config"
    return f"autotune {name}: {chosen} from the autotune cache (--force searches again)"


def _config_text(config: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(config.items()))
