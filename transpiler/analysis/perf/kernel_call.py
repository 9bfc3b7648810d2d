"""One kernel call on the roofline: its cost, its time and the cloud of its last tuning search."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ...run.autotune import shape_key
from .devices import Device, current_device
from .plot import plot_roofline
from .roofline import Chart, Point, Tuning, chart, precision_for, tuning
from .timing import time_kernel
from .walk import analyse_kernel

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class CallRoofline:
    """A kernel call's point on `device`'s roofline and, when its shapes were tuned, the search."""

    device: Device
    point: Point
    tuning: Tuning | None = None

    def chart(self) -> Chart:
        return chart(self.device, [self.point], tuning=self.tuning)

    def figure(self, *, title: str | None = None, path: Path | str | None = None) -> Figure:
        return plot_roofline(self.device, [self.point], tuning=self.tuning, title=title, path=path)


def searched_timings(kernel: Any, args: tuple) -> list[tuple[dict[str, Any] | None, float]]:
    """`kernel.last_tuning` when that search was for these arguments' shapes, else []."""
    timings = list(getattr(kernel, "last_tuning", None) or [])
    searched_for = getattr(kernel, "last_tuning_key", None)
    if searched_for is not None and searched_for != shape_key(args):
        return []  # the last search tuned other shapes
    return timings


def dtype_name(args: Sequence[Any]) -> str:
    """The first floating tensor argument's dtype name ("float32" when there is none)."""
    for value in args:
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return str(value.dtype).removeprefix("torch.")
    return "float32"


def call_roofline(
    kernel: Any,
    *args: Any,
    device: Device | None = None,
    ms: float | None = None,
    label: str | None = None,
    **kwargs: Any,
) -> CallRoofline:
    """`kernel(*args, **kwargs)` on the roofline of `device` (default: this GPU, measured
    ceilings where cached). The call is timed with `do_bench` unless `ms` is given; on a GPU
    its first call on new shapes tunes, and that search (`kernel.last_tuning`) becomes the
    cloud, each candidate costed at its own block sizes."""
    device = device or current_device()
    if device is None:
        name = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
        raise ValueError(
            f"no device to draw against ({name}): pass device=, e.g. "
            "transpiler.analysis.perf.devices.find_device('H100 SXM')"
        )
    if ms is None:
        if torch.cuda.is_available():
            kernel(*args, **kwargs)  # a first call on new shapes tunes: not inside the timing
        timing = time_kernel(lambda: kernel(*args, **kwargs))
        if not timing:
            raise RuntimeError(f"{kernel.name} was not timed ({timing.reason}): pass ms=")
        ms = timing.ms
    assert ms is not None
    label = label or kernel.name
    work = analyse_kernel(kernel, args, kwargs)
    precision = precision_for(work.cost(), dtype_name(args))
    timings = searched_timings(kernel, args)
    search = tuning(label, work, timings, precision) if timings else None
    if search is not None:  # costed at the chosen configuration's block sizes
        chosen = search.chosen
        point = Point(label, chosen.flops, chosen.bytes, ms * 1e-3, precision)
    else:
        cost = work.cost()
        point = Point(label, cost.flops, cost.min_bytes, ms * 1e-3, precision)
    return CallRoofline(device, point, search)


def roofline_figure(
    kernel: Any,
    *args: Any,
    device: Device | None = None,
    ms: float | None = None,
    path: Path | str | None = None,
    **kwargs: Any,
) -> Figure:
    """The roofline figure of `kernel(*args, **kwargs)`: its labelled point with % of
    attainable and, when its shapes were tuned, the candidates as a cloud with an arrow from
    the default configuration to the chosen one (see `call_roofline`)."""
    return call_roofline(kernel, *args, device=device, ms=ms, **kwargs).figure(path=path)
