"""Autotuning on a GPU: a small configuration space per kernel, searched in seconds, cached on disk."""

from __future__ import annotations

import hashlib
import json
import logging
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch

from ..analysis.targets.table import TARGETS, Target
from .cache import write_atomically
from .row_facts import GENERIC_ROWS, RowFacts
from .row_rules import tiled_chunk_configs, whole_row_configs

# (BLOCK_M, BLOCK_N, BLOCK_K, num_warps, num_stages): shapes that suit Hopper's tensor cores,
# from large tiles (big products) to small (skinny ones); shared memory decides what compiles.
DOT_CONFIGS = [
    (128, 256, 64, 8, 3),
    (128, 128, 64, 8, 3),
    (128, 128, 64, 4, 4),
    (128, 64, 64, 4, 4),
    (64, 128, 64, 4, 4),
    (64, 64, 64, 4, 4),
    (128, 128, 32, 4, 4),
    (64, 256, 32, 4, 4),
    (128, 256, 64, 8, 4),
    (128, 128, 128, 8, 3),
]
# (block, num_warps) of element-wise tiles; 512 x 8 warps (two elements a thread) is what
# torch.compile's own tuning picks for a float32 add on an H100 (benchmarks/lab/add_variants.py)
TILE_CONFIGS = [(512, 4), (512, 8), (1024, 4), (2048, 4), (4096, 8), (1024, 8), (2048, 8)]
# Hopper variants of the first DOT_CONFIGS: tiles copied by TMA (`indexing`), and also one
# resident program per SM walking the tiles (`pid_type`), so the next tile's loads overlap this
# one's epilogue (benchmarks/lab/matmul_variants.py measured both on an H100)
DOT_VARIANTS = [
    {"pid_type": "persistent_interleaved", "indexing": "tensor_descriptor"},
    {"indexing": "tensor_descriptor"},
]
DOT_VARIANT_CONFIGS = 3
# (BLOCK_M, num_warps, num_stages) of a product with one tiled side, the other a whole
# dimension (se_block's `x[tile_m, :] @ w[:, :]`: N = 1024 lanes): a [M, N] float32
# accumulator takes M * N / (32 * warps) registers a thread, so M stays small
NARROW_DOT_CONFIGS = [(16, 4, 3), (16, 8, 2), (32, 8, 3), (32, 4, 2)]
# (BLOCK_M, BLOCK_N, num_warps, num_stages) of kernels whose two dot tiles are both "mn" (an
# outer tile of rows and an inner loop over keys: attention), tried first: the inner loop
# warp-specialized (producer warps load through TMA, consumer warps compute), which Triton
# 3.6 does on Hopper for loads through in-kernel descriptors (benchmarks/lab/
# attention_variants.py: 0.91-0.93x cuDNN's SDPA on an H100 at 128 x 128, 4 warps, 2 stages)
WARP_SPECIALIZED_CONFIGS = [(128, 128, 4, 2), (128, 64, 4, 2), (128, 128, 4, 1)]
# ... the first of them tried before all, with one resident program per SM walking the tiles
# (`pid_type`): attention_3d went from 2.096 ms (0.91x SDPA) to 1.918 ms (0.99x) in
# benchmarks/lab/attention_variants.py on an H100
WARP_SPECIALIZED_PID_TYPES = ["persistent_interleaved", "persistent_blocked"]
BUDGET_SECONDS = 20.0
LOG = logging.getLogger("transpiler.autotune")


def candidates(
    tunables: tuple[tuple[str, str], ...],
    phases: tuple[int, ...] | None = None,
    rows: RowFacts | None = None,
    device: Target | None = None,
) -> list[dict[str, Any]]:
    """Configurations for a kernel's tile block sizes (in config order), by what the tiles do.
    `phases`: how many of them each device loop has, for a kernel of several loops; `rows`
    and `device`: a row kernel's facts and the GPU its row candidates are derived for
    (row_rules; without them a 4,096-lane bf16 row on an H100 / H200)."""
    if phases is not None and len(phases) > 1:
        return _phase_candidates(tunables, phases)
    roles = [role for _, role in tunables]
    if not roles:
        return []
    if "mn" in roles or "k" in roles:
        configs: list[dict[str, Any]] = []
        if roles.count("mn") == 1:  # the product's other side is held whole
            configs += [
                {"block_sizes": [m if r == "mn" else 16 if r == "k" else 1 for r in roles],
                 "num_warps": warps, "num_stages": stages}
                for m, warps, stages in NARROW_DOT_CONFIGS
            ]  # fmt: skip
        if [r for r in roles if r != "batch"] == ["mn", "mn"]:  # attention, batched or not
            specialized = [
                {
                    "block_sizes": _with_batch_ones(roles, (block_m, block_n)),
                    "num_warps": warps,
                    "num_stages": stages,
                    "indexing": "tensor_descriptor",
                    "range_warp_specializes": [True],
                }
                for block_m, block_n, warps, stages in WARP_SPECIALIZED_CONFIGS
            ]
            configs += [
                {**specialized[0], "pid_type": pid_type} for pid_type in WARP_SPECIALIZED_PID_TYPES
            ]
            configs += specialized
        for index, (block_m, block_n, block_k, warps, stages) in enumerate(DOT_CONFIGS):
            mn = iter((block_m, block_n))
            sizes = [
                next(mn, block_n)
                if r == "mn"
                else block_k
                if r == "k"
                else 1  # a batch block of 1: 2-D dots (wgmma), not a 3-D one that spills
                if r == "batch"
                else 1
                for r in roles
            ]
            config: dict[str, Any] = {
                "block_sizes": sizes,
                "num_warps": warps,
                "num_stages": stages,
            }
            if roles.count("mn") == 2 and roles[:2] == ["mn", "mn"]:
                config["l2_groupings"] = [8]
            configs.append(config)
            if "k" in roles and index < DOT_VARIANT_CONFIGS:  # early: within the budget
                configs.extend({**config, **variant} for variant in DOT_VARIANTS)
        return configs
    facts, target = rows or GENERIC_ROWS, device or TARGETS["sm_90"]
    if roles and set(roles) == {"rows"}:  # tiles of [b, m] rows: the last takes the rows
        ones = [1] * (len(roles) - 1)
        return [
            {"block_sizes": [*ones, count], "num_warps": warps}
            for count, warps in whole_row_configs(facts, target)
        ]
    if roles == ["tile", "reduce"]:  # the user's tile of rows, walking the row in chunks
        return tiled_chunk_configs(facts, target)
    if roles == ["tile"]:
        return [{"block_sizes": [size], "num_warps": warps} for size, warps in TILE_CONFIGS]
    return []  # several plain tiles: the defaults stand


def _with_batch_ones(roles: list[str], sizes: tuple[int, ...]) -> list[int]:
    """Block sizes in config order: `sizes` for the non-batch tiles, 1 for each batch tile (a
    batch of one is squeezed: 2-D dots and 2-D descriptors)."""
    given = iter(sizes)
    return [1 if role == "batch" else next(given) for role in roles]


def _phase_candidates(
    tunables: tuple[tuple[str, str], ...], phases: tuple[int, ...]
) -> list[dict[str, Any]]:
    """A kernel of several device loops (phases, e.g. between hl.barrier() calls): its i-th
    configuration joins each loop's i-th candidate (a loop with fewer repeats its last), block
    sizes in loop order; the launches share the most warps and stages any of them asks for.
    A loop without candidates (several plain tiles) gets None block sizes: its defaults stand."""
    per_phase, start = [], 0
    for count in phases:
        own = tunables[start : start + count]
        start += count
        if own:
            # one launch per loop: the Hopper variants (one kernel's structure) are not joined
            hopper = {"pid_type", "indexing", "range_warp_specializes"}
            own_configs = [c for c in candidates(own) if not c.keys() & hopper]
            per_phase.append(own_configs or [{"block_sizes": [None] * count}])
    if not any("num_warps" in configs[0] for configs in per_phase):
        return []  # no loop has candidates: the defaults stand
    joined = []
    for index in range(max(map(len, per_phase))):
        picks = [configs[min(index, len(configs) - 1)] for configs in per_phase]
        config: dict[str, Any] = {"block_sizes": [b for p in picks for b in p["block_sizes"]]}
        for option in ("num_warps", "num_stages"):
            values = [p[option] for p in picks if option in p]
            if values:
                config[option] = max(values)
        groupings = [p["l2_groupings"] for p in picks if "l2_groupings" in p]
        if groupings:
            config["l2_groupings"] = groupings[0]
        if config not in joined:
            joined.append(config)
    return joined


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
    for config in configs:
        now = time.perf_counter()
        if tried_at is not None:
            longest = max(longest, now - tried_at)
        if now - started + longest > budget - FINAL_ROUND_SECONDS:
            break  # the next one would likely end past the budget
        rows = _rows(config) if row_pruning else None
        if rows is not None and slower_rows is not None and rows >= slower_rows:
            continue
        tried_at = now
        try:
            launcher = build(config)
            result = launcher(*trial_args)
            if baseline is _NOTHING:  # the first that fits stands for the default
                baseline = result
            elif not _agrees(result, baseline):
                continue
            ms = _time(launcher, trial_args, rep)
        except Exception:  # noqa: BLE001 - out of shared memory, registers: not a candidate here
            continue
        if rows is not None and rows > 1 and timings and ms > min(t for _, t in timings):
            slower_rows = rows if slower_rows is None else min(slower_rows, rows)
        timings.append((config, ms))
        launchers.append(launcher)
    if not timings:  # no configuration fits this device: the default's own error says why
        raise too_big
    ranked = _final_round(timings, launchers, trial_args)
    _log_pick(timings, ranked, time.perf_counter() - started)
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


def _log_pick(timings: list, ranked: list[tuple[int, float]], seconds: float) -> None:
    """The pick and its runner-up (their final rounds' medians), on the `transpiler.autotune`
    logger at INFO."""
    names = [timings[index][0] or "the default" for index, _ in ranked]
    text = f"picked {names[0]} ({ranked[0][1]:.4f} ms) of {len(timings)} timed in {seconds:.1f} s"
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
