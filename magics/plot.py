"""`--roofline`: the cost model's numbers for EXPR's kernel calls and, on a GPU, the figure."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

import torch

from transpiler.analysis.perf import Cost, analyse
from transpiler.analysis.perf.devices import DEVICES, current_device, find_device
from transpiler.analysis.perf.plot import plot_roofline
from transpiler.analysis.perf.roofline import (
    cloud_label,
    floor_seconds,
    percent_of_attainable,
    point,
    speedup_text,
    tuning,
)
from transpiler.analysis.perf.timing import time_kernel

from .program import CELL_FILENAME

NEEDS_RUN = "roofline: needs --run EXPR (the call whose cost and time are plotted)"
CPU_NOTICE = (
    "the achieved point and the autotuner's cloud need a GPU "
    "(kernels run in Triton's CPU interpreter here)"
)
NO_SEARCH = (
    "no autotune cloud: this run did not search (--config, config= or autotune_effort='none' "
    "fix the configuration; --force searches again instead of using the autotune cache)"
)
SEVERAL_CALLS = "no autotune cloud: it is drawn for an expression with one kernel call"
PREDICTION_NOTICE = (
    "the cost model's prediction, not measured: the achieved point and the autotuner's cloud "
    "need a GPU, and kernels run in Triton's CPU interpreter here; --device NAME picks the GPU"
)
PREDICTED_FOR = "H100 SXM"  # the datasheet device a CPU machine predicts for, unless told


def datasheet_device(name: str) -> Any:
    """The datasheet entry named `name` (its table name or a GPU's own name), or None."""

    named = {device.name.lower(): device for device in DEVICES}
    return named.get(name.strip().lower()) or find_device(name)


def device_names() -> str:

    return ", ".join(device.name for device in DEVICES)


def predicted_report(expression: str, line: str, cost: Any, precision: str, device_name: str):
    """Without a GPU: where the cost model puts EXPR on a datasheet device's roofline (at the
    roof: the fastest the minimum bytes and FLOPs allow), labelled as a prediction."""

    device = datasheet_device(device_name)
    if device is None:
        known = device_names()
        return [f"{line}; {CPU_NOTICE}; no datasheet entry {device_name!r} ({known})"], None
    seconds = floor_seconds(cost, device, precision)
    predicted = point(f"{expression}: predicted", cost, seconds, precision)
    title = f"Predicted on {device.name} ({precision}): the cost model at the roof, not measured"
    said = (
        f"{line}; predicted on {device.name} ({precision}): at best {seconds * 1e3:.3g} ms, on "
        f"the roof ({PREDICTION_NOTICE})"
    )
    return [said], figure_png(device, [predicted], title=title)


def precision_of(args: Iterable[Any]) -> str:
    """The roof a call is measured against: the widest float dtype among its tensor arguments."""
    dtypes = {a.dtype for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()}
    for dtype, name in ((torch.float32, "fp32"), (torch.bfloat16, "bf16"), (torch.float16, "fp16")):
        if dtype in dtypes:
            return name
    return "fp32"


def total_cost(costs: list[Any]) -> Any:
    """The costs of several launches added up (one Cost)."""

    return Cost(
        flops=sum(c.flops for c in costs),
        min_bytes=sum(c.min_bytes for c in costs),
        tiled_bytes=sum(c.tiled_bytes for c in costs),
        dot_flops=sum(c.dot_flops for c in costs),
    )


def cost_line(expression: str, names: list[str], cost: Any) -> str:
    """One line: FLOPs, minimum bytes and arithmetic intensity of EXPR's kernel calls."""
    calls = ", ".join(names)
    return (
        f"roofline {expression} ({calls}): {cost.flops:.4g} FLOP, "
        f"{cost.min_bytes:.4g} bytes minimum, {cost.arithmetic_intensity:.3g} FLOP/byte"
    )


def roofline_report(
    expression: str,
    source: str,
    calls: list[tuple[str, tuple]],
    run: Callable[[], Any],
    *,
    on_gpu: bool,
    block_sizes: Any = None,
    searches: list[list] | None = None,
    predict_for: str = PREDICTED_FOR,
    blocks: list[tuple] | None = None,
) -> tuple[list[str], bytes | None]:
    """Lines to print and, on a GPU with a known device, the roofline figure as PNG bytes.

    `calls` are EXPR's kernel calls (kernel name, arguments); `run` evaluates EXPR again (timed
    on a GPU with triton.testing.do_bench); `searches`, one per call, the autotuner's
    [(config, ms)] behind it (the kernel's `last_tuning` for those shapes, or []): with one
    call, its candidates are drawn as a cloud. Without a GPU the figure is a prediction for the
    datasheet device `predict_for`. `blocks`, one per call, the generated module's tunable
    blocks (Transpiled.block_defaults: a config's order, the launcher's defaults). Cost-model
    failures are one line, never raised.
    """

    if not calls:
        return [f"roofline {expression}: no kernel of this cell was called"], None
    searches = searches or [[] for _ in calls]
    blocks = blocks or [() for _ in calls]
    try:
        works = [
            analyse(source, name, args, filename=CELL_FILENAME, blocks=lowered)
            for (name, args), lowered in zip(calls, blocks)
        ]
        costs = [work.cost(block_sizes) for work in works]
    except Exception as error:  # CostModelError or an unforeseen case: one line, never raised
        return [f"roofline {expression}: cost model failed ({type(error).__name__}: {error})"], None
    precision = precision_of(arg for _, args in calls for arg in args)
    search = None
    if len(calls) == 1 and searches[0]:
        search = tuning(expression, works[0], searches[0], precision)
        chosen = searches[0][search.best][0] or {}  # the configuration the call ran
        costs = [works[0].cost(chosen.get("block_sizes") or block_sizes)]
    cost = total_cost(costs)
    names = [name for name, _ in calls]
    line = cost_line(expression, names, cost)
    if not on_gpu:
        return predicted_report(expression, line, cost, precision, predict_for)

    timing = time_kernel(run)
    if not timing:
        return [f"{line}; not timed: {timing.reason}"], None
    device = current_device()
    seconds = timing.ms * 1e-3
    measured = f"{timing.ms:.4f} ms median, {cost.flops / seconds / 1e12:.3g} TFLOP/s, "
    measured += f"{cost.min_bytes / seconds / 1e9:.1f} GB/s"
    if device is None:
        name = torch.cuda.get_device_name()
        return [
            f"{line}; {measured}; {name} is not in the datasheet table and its ceilings could not be measured: no figure"
        ], None
    kernel_point = point(expression, cost, seconds, precision)
    percent = percent_of_attainable(kernel_point, device)
    lines = [f"{line}; {measured}; {percent:.0f}% of attainable on {device.name} ({precision})"]
    lines.append(cloud_line(search, len(calls), any(searches)))
    return lines, figure_png(device, [kernel_point], tuning=search)


def cloud_line(search: Any, calls: int, searched: bool) -> str:
    """What the figure's cloud shows, or why there is none."""

    if search is None:
        return f"  {SEVERAL_CALLS if calls > 1 and searched else NO_SEARCH}"
    gain = speedup_text(search)
    return f"  {cloud_label(len(search.candidates))}" + (f"; {gain}" if gain else "")


def figure_png(
    device: Any, points: list[Any], title: str | None = None, tuning: Any = None
) -> bytes:
    """`plot_roofline` for `device` with `points` (and a search's cloud), rendered to PNG."""

    figure = plot_roofline(device, points, tuning=tuning, title=title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()
