"""A kernel's first call on new shapes: its space fitted to this GPU, compiled in parallel and
pruned, the survivors timed, all within one wall-clock budget (compiles included)."""

from __future__ import annotations

import inspect
import time
from typing import Any

from ..compile.frontend.errors import ConfigError
from .autotune import LOG, search
from .cache import cache_dir
from .compile_pool import compile_pool
from .precompile import FailureCache, precompile
from .reduction_candidates import (
    WHOLE_ROW_CANDIDATE_LIMIT,
    default_loops,
    reduction_loop_candidates,
    row_space,
    whole_widths,
)
from .row_facts import RowFacts, row_facts
from .shared_estimate import shared_estimate
from .tile_configs import candidates
from .tune_settings import TuneSettings, tune_settings
from .tune_space import cost_estimate, device_target, fit_to_device, kernel_work, order_by_cost

COMPILE_SHARE = 0.75  # of the budget, the most that compiling may take; timing has the rest


def tune(kernel: Any, args: tuple) -> tuple[dict[str, Any] | None, list]:
    """The best configuration of `kernel` for `args` and the timings that chose it."""
    settings = tune_settings(kernel.settings)
    started = time.monotonic()
    pool = compile_pool(settings.workers)
    pool.prestart()  # their imports overlap the transpiling below
    device = device_target()
    space, rows = tuning_space(kernel, args, settings, device)
    LOG.info("%s: %d candidates in %.1f s", kernel.name, len(space), time.monotonic() - started)
    bind = lambda config: kernel.bind(args, config).launcher  # noqa: E731
    if not space:  # nothing to choose from: the default, timed for the plots
        return search(bind, [], args, budget=settings.budget, rep=settings.timing_ms)
    compiled = precompile(
        bind,
        [None, *space],
        args,
        device,
        pool,
        timeout=settings.compile_timeout,
        deadline=started + settings.budget * COMPILE_SHARE,
        failures=FailureCache(cache_dir() / "autotune_failures.json"),
    )
    for config, why in compiled.dropped:
        LOG.info("dropped %s: %s", config or "the default", why)
    survivors = [config for config in compiled.fitting if config is not None]
    default_fits = True if any(c is None for c in compiled.fitting) else compiled.reason(None)
    if not survivors and default_fits is not True:
        if str(default_fits).startswith("over "):  # it cannot run here, and nothing else did
            raise ConfigError(
                f"{kernel.name}: no configuration fits {device.gpu or device.name}: the "
                f"default is {default_fits}, and none of {len(space)} candidates compiled "
                "within the device's limits in time",
                hint="give a config= with smaller block_sizes or num_stages, or loop over "
                "the dimension held whole (`for tile_k in hl.tile(k)`)",
            )
        LOG.info(
            "%s: none of %d candidates compiled in time (%.1f s building launchers, %.1f s "
            "since the call): the default stands",
            kernel.name, len(space), compiled.built_seconds, time.monotonic() - started,
        )  # fmt: skip
        return None, []  # nothing compiled in time: the default stands, launched as is
    LOG.info(
        "%s: %d of %d candidates compiled for %s and kept in %.1f s (%.1f s of it building "
        "their launchers; %.1f s since the call)",
        kernel.name, len(survivors), len(space), device.name, compiled.seconds,
        compiled.built_seconds, time.monotonic() - started,
    )  # fmt: skip
    return search(
        bind,
        survivors,
        args,
        budget=max(0.0, settings.budget - (time.monotonic() - started)),
        row_pruning=rows,
        default_fits=default_fits,
        rep=settings.timing_ms,
    )


def tuning_space(
    kernel: Any, args: tuple, settings: TuneSettings, device: Any
) -> tuple[list[dict[str, Any]], bool]:
    """The candidates (the user's `configs=` as given, else the kernel's space fitted to the
    device, cheapest first, as many as the effort allows) and whether they are row configs."""
    given = kernel.settings.get("configs")
    transpiled = kernel.transpiled(tuple(args))
    tunables = transpiled.tunables.get(kernel.name, ())
    roles = [role for _, role in tunables]
    if isinstance(given, (list, tuple)) and given:
        return [dict(c) for c in given], roles == ["rows"]
    whole_sizes = transpiled.whole_sizes.get(kernel.name, ())
    facts = kernel_row_facts(kernel, args, whole_sizes) if _row_roles(roles) else None
    axes = tuple(block.axes for block in transpiled.block_defaults.get(kernel.name, ()))
    phases = transpiled.phases.get(kernel.name)
    space = _distinct(candidates(tunables, phases, facts, device, axes))
    space = with_reduction_loops(space, kernel, whole_sizes, args, device, facts)
    work = kernel_work(kernel, args)
    chunks_k = kernel.name in transpiled.chunks_k
    shared = shared_estimate(work, device, chunks_k) if work is not None else None
    space = fit_to_device(space, roles, device, shared)
    if roles != ["rows"]:  # row candidates keep their order: the search prunes by it
        space = order_by_cost(space, cost_estimate(work), len(tunables))
    # rows per program prune the search only among whole rows (a slow 2-row whole block says
    # nothing of 2 rows in chunks)
    whole_rows = roles == ["rows"] and all(not any(c.get("reduction_loops") or []) for c in space)
    return space[: settings.most_candidates], whole_rows


def _row_roles(roles: list[str]) -> bool:
    """Tiles of rows (a row kernel) or the user's tile of rows walking the row in chunks."""
    return bool(roles) and (set(roles) == {"rows"} or roles == ["tile", "reduce"])


def kernel_row_facts(kernel: Any, args: tuple, whole_sizes: tuple[str, ...]) -> RowFacts:
    """A row kernel's facts on `args` (row_facts), read from its whole-row code where a block
    may hold the row (its chunk loops would count a row read twice as two)."""
    names = list(inspect.signature(kernel.fn).parameters)
    positional = kernel.positional(tuple(args), {})
    widths = whole_widths(whole_sizes, names, positional) or []
    # the default's code where it holds whole rows (no second transpile), else whole rows
    # where a block may hold them, else the default's chunk loops
    looped = any(default_loops(widths))
    whole = looped and max(widths) <= WHOLE_ROW_CANDIDATE_LIMIT
    config = {"reduction_loops": [None] * len(widths)} if whole else None
    code = kernel.bind(args, config).transpiled.code if config else kernel.transpiled(args).code
    return row_facts(code, kernel.name, widths, dict(zip(names, positional)), whole_sizes)


def _distinct(configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The configurations in order, each once (roles a kernel lacks make repeats: attention's
    [M, N] from dot configurations that differ only in BLOCK_K)."""
    kept: list[dict[str, Any]] = []
    for config in configs:
        if config not in kept:
            kept.append(config)
    return kept


LOOPED_CONFIGS = 4  # of a tiled space's first configurations, each also tried in chunks


def with_reduction_loops(
    space: list[dict[str, Any]], kernel: Any, whole_sizes: tuple[str, ...], args: tuple,
    device: Any, facts: RowFacts | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The space with `reduction_loops` choices where a whole dimension is wider than a few
    thousand lanes (reduction_candidates): a row kernel's forms in turns (row_space); other
    kernels' configurations with whole rows where they may stay whole, the first
    LOOPED_CONFIGS each followed by their chunked forms."""
    names = list(inspect.signature(kernel.fn).parameters)
    widths = whole_widths(whole_sizes, names, kernel.positional(tuple(args), {}))
    options = reduction_loop_candidates(widths) if widths else []
    if len(options) < 2:
        return space  # one choice: the default's own
    tunables = kernel.transpiled(tuple(args)).tunables.get(kernel.name, ())
    if {role for _, role in tunables} <= {"rows", "batch"}:
        facts = facts or kernel_row_facts(kernel, args, whole_sizes)
        return row_space(space, widths, facts, device, len(tunables))
    whole = [o for o in options if all(c is None for c in o)][:1]
    looped = [o for o in options if any(c is not None for c in o)]
    tried = []
    for index, config in enumerate(space):
        own = whole + (looped if index < LOOPED_CONFIGS else [])
        tried += [{**config, "reduction_loops": option} for option in own]
    return tried
