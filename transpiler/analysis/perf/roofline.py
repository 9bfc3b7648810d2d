"""Roofline arithmetic (no plotting): roofs, ridge points, attainable rates, kernels' points."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .cost import Cost, KernelWork
from .devices import Device


@dataclass(frozen=True)
class Roof:
    """One compute ceiling (FLOP/s) and where it meets the memory roof (FLOP/byte)."""

    precision: str
    peak: float
    ridge: float


@dataclass(frozen=True)
class Point:
    """A measured kernel (or autotuning candidate) on the roofline."""

    label: str
    flops: float
    bytes: float
    seconds: float
    precision: str = "fp32"

    @property
    def intensity(self) -> float:
        return self.flops / self.bytes if self.bytes else math.inf

    @property
    def achieved(self) -> float:
        """FLOP/s."""
        return self.flops / self.seconds

    @property
    def bandwidth(self) -> float:
        """Bytes/s of the counted traffic."""
        return self.bytes / self.seconds


def attainable(intensity: float, bandwidth: float, peak: float) -> float:
    """The roofline: min(peak, intensity · bandwidth) FLOP/s."""
    return min(peak, intensity * bandwidth)


def ridge_point(bandwidth: float, peak: float) -> float:
    """The intensity (FLOP/byte) where a kernel stops being memory-bound."""
    return peak / bandwidth


def roofs(device: Device) -> list[Roof]:
    """One compute roof per precision the device has, lowest first."""
    found = [
        Roof(p, device.peak(p), ridge_point(device.bandwidth, device.peak(p)))
        for p in device.precisions()
    ]
    return sorted(found, key=lambda roof: roof.peak)


def precision_for(cost: Cost, dtype_name: str) -> str:
    """The roof a kernel is held to: tensor cores for dot-heavy kernels, else CUDA cores."""
    if cost.dot_flops and cost.dot_flops >= cost.flops / 2:
        if dtype_name.startswith("float8"):
            return "fp8"
        return {"float32": "tf32", "bfloat16": "bf16", "float16": "fp16"}.get(dtype_name, "fp32")
    return "fp32"


def floor_seconds(cost: Cost, device: Device, precision: str = "fp32") -> float:
    """The roofline floor: the slowest of moving the minimum bytes, the matrix FLOPs at
    `precision`'s rate and the other FLOPs on the CUDA cores (the units overlap, so the
    floor is their maximum, not their sum)."""
    memory = cost.min_bytes / device.bandwidth
    other = cost.flops - cost.dot_flops
    matrix = cost.dot_flops / device.peak(precision) if cost.dot_flops else 0.0
    vector = other / device.peak("fp32") if other else 0.0
    return max(memory, matrix, vector)


def percent_of_floor(cost: Cost, seconds: float, device: Device, precision: str = "fp32") -> float:
    """100 · floor / measured time: how close a kernel runs to the roofline."""
    return 100 * floor_seconds(cost, device, precision) / seconds


def point(label: str, cost: Cost, seconds: float, precision: str = "fp32") -> Point:
    """A kernel's point from its cost (minimum bytes) and measured time."""
    return Point(label, cost.flops, cost.min_bytes, seconds, precision)


def percent_of_attainable(item: Point, device: Device) -> float:
    """Achieved FLOP/s over what the roofline allows at the point's intensity and precision."""
    roof = attainable(item.intensity, device.bandwidth, device.peak(item.precision))
    return 100 * item.achieved / roof


def cloud(
    label: str, costs: Sequence[Cost], seconds: Sequence[float], precision: str = "fp32"
) -> list[Point]:
    """Autotuning candidates (one cost and time per configuration) as points."""
    return [
        Point(f"{label} #{i}", c.flops, c.min_bytes, s, precision)
        for i, (c, s) in enumerate(zip(costs, seconds))
    ]


def tuning_cloud(
    label: str,
    work: KernelWork,
    timings: Sequence[tuple[Mapping[str, Any] | None, float]],
    precision: str = "fp32",
) -> list[Point]:
    """Candidates as `transpiler.run.autotune.search` reports them, [(config or None, ms)], each
    costed at its own block sizes (config order = the kernel's loop order)."""
    points = []
    for index, (config, ms) in enumerate(timings):
        cost = work.cost((config or {}).get("block_sizes"))
        points.append(Point(f"{label} #{index}", cost.flops, cost.min_bytes, ms * 1e-3, precision))
    return points


@dataclass(frozen=True)
class Tuning:
    """An autotuner's search as points: every candidate, the one that ran the default
    configuration (None when the search did not time it) and the fastest."""

    candidates: tuple[Point, ...]
    default: int | None
    best: int

    @property
    def chosen(self) -> Point:
        return self.candidates[self.best]

    @property
    def baseline(self) -> Point | None:
        return None if self.default is None else self.candidates[self.default]

    @property
    def speedup(self) -> float | None:
        """Default time over the chosen configuration's time: what tuning bought."""
        baseline = self.baseline
        return None if baseline is None else baseline.seconds / self.chosen.seconds


def tuning(
    label: str,
    work: KernelWork,
    timings: Sequence[tuple[Mapping[str, Any] | None, float]],
    precision: str = "fp32",
) -> Tuning:
    """`tuning_cloud`'s points with the default (config None or {}) and the fastest found."""
    if not timings:
        raise ValueError("no candidates: the search timed nothing")
    points = tuple(tuning_cloud(label, work, timings, precision))
    default = next((i for i, (config, _) in enumerate(timings) if not config), None)
    best = min(range(len(points)), key=lambda i: points[i].seconds)
    return Tuning(points, default, best)


def cloud_label(count: int) -> str:
    """The cloud's legend entry."""
    return f"autotune candidates ({count})"


def speedup_text(tuning: Tuning) -> str | None:
    """What tuning bought over the default configuration, in words (None: default not timed)."""
    if tuning.speedup is None:
        return None
    if tuning.best == tuning.default:
        return "default config was fastest"
    return f"{tuning.speedup:.1f}x from tuning"


@dataclass(frozen=True)
class Chart:
    """Everything a roofline figure shows, computed: roofs, ridges, points and the axes."""

    device: Device
    roofs: tuple[Roof, ...]
    points: tuple[Point, ...]
    cloud: tuple[Point, ...]
    x_range: tuple[float, float]  # FLOP/byte
    y_range: tuple[float, float]  # FLOP/s
    tuning: Tuning | None = None  # the search behind the cloud: default and chosen marked

    def percent(self, item: Point) -> float:
        return percent_of_attainable(item, self.device)


def chart(
    device: Device,
    points: Iterable[Point],
    candidates: Iterable[Point] = (),
    tuning: Tuning | None = None,
) -> Chart:
    """The chart's contents; points without FLOPs or bytes cannot sit on log axes and are left
    out. `tuning`'s candidates join the cloud (its default and chosen points then drawn apart)."""
    shown = tuple(p for p in points if p.flops > 0 and p.bytes > 0)
    searched = tuning.candidates if tuning is not None else ()
    extra = tuple(p for p in (*candidates, *searched) if p.flops > 0 and p.bytes > 0)
    if tuning is not None and not all(p in extra for p in searched):
        tuning = None  # a candidate cannot sit on log axes: no default → chosen arrow
    all_roofs = tuple(roofs(device))
    intensities = [p.intensity for p in shown + extra] + [r.ridge for r in all_roofs]
    rates = [p.achieved for p in shown + extra] + [r.peak for r in all_roofs]
    x_low = 10 ** math.floor(math.log10(min(intensities + [1.0]) / 2))
    x_high = 10 ** math.ceil(math.log10(max(intensities) * 2))
    y_low = 10 ** math.floor(math.log10(min(rates + [x_low * device.bandwidth])))
    y_high = 10 ** math.ceil(math.log10(max(rates) * 2))
    return Chart(device, all_roofs, shown, extra, (x_low, x_high), (y_low, y_high), tuning)
