"""Autotuning a cell's kernels on a GPU, as `transpiler.kernel` does on a first call on new
shapes; each search's timings are kept (this session) for `--roofline`'s cloud of candidates."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

import torch

from transpiler.run import runtime
from transpiler.run.autotune import TuningCache, candidates, search, shape_key

if TYPE_CHECKING:
    from .program import CellProgram  # annotations only: program imports this module

Timings = list[tuple[dict[str, Any] | None, float]]

# (cell digest, kernel name, shape key) → (chosen config, the search's [(config, ms)]).
_SEARCHES: dict[tuple[str, str, str], tuple[dict[str, Any] | None, Timings]] = {}


def opts_out(settings: dict[str, object]) -> bool:
    """The decorator fixes the configuration (`config=`) or asks for no tuning
    (`autotune_effort="none"`)."""
    if "config" in settings:
        return True
    effort = settings.get("autotune_effort")
    if effort is None:
        return False
    try:
        return ast.literal_eval(str(effort)) == "none"
    except (ValueError, SyntaxError):
        return False


def on_gpu(args: tuple) -> bool:
    """Kernels launch on the GPU (not the interpreter) with CUDA tensors among the arguments."""
    if runtime.interpreting():
        return False
    return any(isinstance(a, torch.Tensor) and a.is_cuda for a in args)


def tunes(program: CellProgram, name: str, args: tuple) -> bool:
    """On a GPU, unless `--config` or the decorator fixed the choice."""
    if not on_gpu(args) or program.config is not None:
        return False
    return not opts_out(program.decorator_settings(name))


def tuned_config(
    program: CellProgram, name: str, args: tuple
) -> tuple[dict[str, Any] | None, Timings]:
    """The configuration `name(*args)` runs with and the search behind it: searched now, or
    earlier this session (same cell text and shapes); from the disk cache the timings are []."""
    key = (program.digest, name, shape_key(args))
    forced = program.force and key not in program.searched  # --force: search once per run
    if key in _SEARCHES and not forced:
        return _SEARCHES[key]
    program.searched.add(key)

    def search_now() -> tuple[dict[str, Any] | None, Timings]:
        transpiled = program.transpiled_for(name, args)
        tunables = transpiled.tunables.get(name, ())
        space = candidates(tunables, transpiled.phases.get(name))
        if not space:
            return None, []
        rows = [role for _, role in tunables] == ["rows"]
        found = search(
            lambda c: program.launcher(name, args, c, trial=True), space, args, row_pruning=rows
        )
        print(search_line(name, *found))
        return found

    cache = TuningCache(runtime.cache_dir() / "autotune.json")
    config, timings, stored = cache.config_for(program.source, name, args, search_now, forced)
    if stored:
        print(cached_line(name, config or {}))
    _SEARCHES[key] = (config, timings)
    return _SEARCHES[key]


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
