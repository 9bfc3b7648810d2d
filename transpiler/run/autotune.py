"""Autotuning on a GPU: a small configuration space per kernel, searched in seconds, cached on disk."""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import torch

from .cache import write_atomically

BUDGET_SECONDS = 20.0
LOG = logging.getLogger("transpiler.autotune")


def shape_key(args: tuple) -> str:
    parts = [
        f"{tuple(a.shape)}:{a.dtype}:{tuple(a.stride())}"
        if isinstance(a, torch.Tensor)
        else type(a).__name__
        for a in args
    ]
    return "|".join(parts)


class TuningCache:
    """Best configurations per (source, kernel, shapes, device), in one JSON file."""

    def __init__(self, path) -> None:
        self.path = path

    def key(self, source: str, name: str, args: tuple) -> str:
        digest = hashlib.sha256(source.encode()).hexdigest()[:16]
        device = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
        return f"{digest}:{name}:{device}:{shape_key(args)}"

    def load(self) -> dict[str, Any]:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}  # missing or corrupt: tuning again is safe

    def get(self, key: str) -> dict[str, Any] | None:
        return self.load().get(key)

    def put(self, key: str, config: dict[str, Any]) -> None:
        entries = self.load()
        entries[key] = config
        write_atomically(self.path, json.dumps(entries, indent=1, sort_keys=True))

    def config_for(
        self,
        source: str,
        name: str,
        args: tuple,
        search_now: Callable[[], tuple[dict[str, Any] | None, list]],
        force: bool = False,
    ) -> tuple[dict[str, Any] | None, list, bool]:
        """Kernel `name` of `source` on arguments like `args`: the configuration stored here
        (no timings), else `search_now()`'s, stored; `force` searches again. Returns
        (config or None for the default, the search's [(config, ms)], whether it was stored).
        `transpiler.kernel` and the notebook magic both tune through it."""
        key = self.key(source, name, args)
        config = None if force else self.get(key)
        if config is not None:
            return config or None, [], True
        config, timings = search_now()
        self.put(key, config or {})
        return config or None, timings, False


def search(
    build: Callable[[dict[str, Any] | None], Callable],
    configs: list[dict[str, Any]],
    args: tuple,
    budget: float = BUDGET_SECONDS,
    row_pruning: bool = False,
    default_fits: bool | str = True,
    rep: int = 20,
) -> tuple[dict[str, Any] | None, list[tuple[dict[str, Any] | None, float]]]:
    """Time each configuration (after checking it computes what the default computes); the
    fastest wins. Configurations that fail to compile or disagree are skipped. `default_fits`:
    False (or why, as text) when a compile already showed the default cannot run here: it is
    never launched, and the first candidate that runs stands for it."""
    started = time.perf_counter()
    trial_args = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)
    timings: list[tuple[dict[str, Any] | None, float]] = []
    launchers: list[Callable] = []  # beside timings, for the final rounds
    too_big: Exception = RuntimeError(f"the default configuration cannot run here: {default_fits}")
    baseline: Any = _NOTHING
    if default_fits is True:
        default = build(None)
        try:
            baseline = default(*trial_args)
        except Exception as error:  # the default needs more than this device holds: another fits?
            if not _out_of_resources(error):
                raise
            too_big = error
        else:
            launchers.append(default)
            timings.append((None, _time(default, trial_args, rep)))
    slower_rows = None  # rows per program from which row candidates stopped paying
    longest = time.perf_counter() - started  # the longest a candidate took (compile + time)
    tried_at = None  # when the latest candidate began
    skipped: Counter = Counter()  # why candidates went untimed, for the pick's log line
    for position, config in enumerate(configs):
        now = time.perf_counter()
        if tried_at is not None:
            longest = max(longest, now - tried_at)
        if now - started + longest > budget - FINAL_ROUND_SECONDS:
            skipped["left for the budget"] += len(configs) - position
            break  # the next one would likely end past the budget
        rows = _rows(config) if row_pruning else None
        if rows is not None and slower_rows is not None and rows >= slower_rows:
            skipped[f"{slower_rows}+ rows, as fewer ran slower"] += 1
            continue
        tried_at = now
        try:
            launcher = build(config)
            result = launcher(*trial_args)
            if baseline is _NOTHING:  # the first that fits stands for the default
                baseline = result
            elif not _agrees(result, baseline):
                LOG.info("skipped %s: its result differs from the default's", config)
                skipped["a different result"] += 1
                continue
            ms = _time(launcher, trial_args, rep)
        except Exception as error:  # noqa: BLE001 - out of shared memory, registers: not here
            LOG.info("skipped %s: %s", config, f"{type(error).__name__}: {error}"[:200])
            skipped[type(error).__name__] += 1
            continue
        if rows is not None and rows > 1 and timings and ms > min(t for _, t in timings):
            slower_rows = rows if slower_rows is None else min(slower_rows, rows)
        timings.append((config, ms))
        launchers.append(launcher)
    if not timings:  # no configuration fits this device: the default's own error says why
        raise too_big
    ranked = _final_round(timings, launchers, trial_args)
    _log_pick(timings, ranked, time.perf_counter() - started, skipped)
    return timings[ranked[0][0]][0], timings


_NOTHING = object()  # no baseline yet: the default configuration did not fit


def _out_of_resources(error: Exception) -> bool:
    """Triton's refusal to launch a kernel the device cannot hold (shared memory, registers)."""
    from triton.runtime.errors import OutOfResources

    return isinstance(error, OutOfResources) or "out of resource" in str(error).lower()


FINALISTS = 3  # the fastest candidates of a search, timed again in turns
FINAL_ROUND_SECONDS = 1.0  # kept for those rounds out of the budget


def _final_round(timings: list, launchers: list, args: tuple) -> list[tuple[int, float]]:
    """The FINALISTS fastest (index, median ms), fastest first, each timed three more times in
    turns: a GPU's clock drifts during a search (an H100 under a long attention or matmul
    load by 10% within seconds), and one pass of timings reads that drift as a difference
    between configurations."""
    finalists = sorted(range(len(timings)), key=lambda index: timings[index][1])[:FINALISTS]
    if len(finalists) < 2:
        return [(finalists[0], timings[finalists[0]][1])]
    rounds: dict[int, list[float]] = {index: [] for index in finalists}
    for _ in range(3):
        for index in finalists:
            rounds[index].append(_time(launchers[index], args))
    medians = [(index, statistics.median(rounds[index])) for index in finalists]
    return sorted(medians, key=lambda entry: entry[1])


def _log_pick(
    timings: list, ranked: list[tuple[int, float]], seconds: float, skipped: Counter
) -> None:
    """The pick and its runner-up (their final rounds' medians), and why the other candidates
    went untimed, on the `transpiler.autotune` logger at INFO."""
    names = [timings[index][0] or "the default" for index, _ in ranked]
    text = f"picked {names[0]} ({ranked[0][1]:.4f} ms) of {len(timings)} timed in {seconds:.1f} s"
    if skipped:
        text += " (untimed: " + ", ".join(f"{n} {why}" for why, n in skipped.items()) + ")"
    if len(ranked) > 1:
        text += f"; runner-up {names[1]} ({ranked[1][1]:.4f} ms)"
    LOG.info(text)


def _time(launcher: Callable, args: tuple, rep: int = 20) -> float:
    """A search's timing of one launcher: the median of a short triton.testing.do_bench."""
    import triton.testing

    return triton.testing.do_bench(lambda: launcher(*args), warmup=5, rep=rep, return_mode="median")


def _rows(config: dict[str, Any]) -> int | None:
    """Rows per program of a row-kernel candidate (its one block size), else None."""
    sizes = config.get("block_sizes", [])
    if len(sizes) == 1 and isinstance(sizes[0], int):
        return sizes[0]
    return None


def _agrees(result: Any, baseline: Any) -> bool:
    if isinstance(result, torch.Tensor) and isinstance(baseline, torch.Tensor):
        if result.shape != baseline.shape:
            return False
        if not result.is_floating_point():
            return torch.equal(result, baseline)
        scale = baseline.float().abs().max().clamp_min(1e-6)
        return bool(((result.float() - baseline.float()).abs().max() / scale) < 2e-2)
    if isinstance(result, (tuple, list)):
        return len(result) == len(baseline) and all(_agrees(r, b) for r, b in zip(result, baseline))
    return True
