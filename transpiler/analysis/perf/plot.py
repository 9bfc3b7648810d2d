"""The roofline figure (matplotlib, imported only when a figure is drawn)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .devices import Device
from .roofline import Chart, Point, Tuning, chart, cloud_label, speedup_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

X_LABEL = "arithmetic intensity (FLOP/byte)"
Y_LABEL = "performance (FLOP/s)"
INLINE_LABELS = 4  # more points than this are numbered, with a key
CLOUD_COLOUR = "#ff7f0e"
_ROOF_COLOURS = {"fp32": "#444444", "tf32": "#1f77b4", "bf16": "#2ca02c", "fp16": "#9467bd"}


def plot_roofline(
    device: Device,
    points: Iterable[Point],
    candidates: Iterable[Point] = (),
    *,
    tuning: Tuning | None = None,
    title: str | None = None,
    path: Path | str | None = None,
) -> Figure:
    """Log-log roofline: the memory roof, one compute roof per precision (ridge points marked),
    each kernel a labelled point with its % of attainable, candidates as a light cloud. With
    `tuning` (an autotuner's search) its candidates join the cloud, the default configuration
    is a hollow square and an arrow to the chosen one says what tuning bought."""
    from matplotlib.figure import Figure

    content = chart(device, points, candidates, tuning)
    figure = Figure(figsize=(8, 5.5), layout="constrained")
    axes = figure.add_subplot()
    axes.set_xscale("log")
    axes.set_yscale("log")
    _draw_roofs(axes, content)
    _draw_cloud(axes, content)
    numbered = len(content.points) > INLINE_LABELS
    key = []
    for number, item in enumerate(content.points, start=1):
        text = f"{item.label} ({content.percent(item):.0f}%)"
        axes.scatter([item.intensity], [item.achieved], s=36, color="#d62728", zorder=3)
        axes.annotate(
            str(number) if numbered else text,
            (item.intensity, item.achieved),
            textcoords="offset points",
            xytext=(5, -10) if numbered else (6, -10),
            fontsize=8,
        )
        key.append(f"{number}  {text}")
    if numbered:  # many points: numbers beside them, the labels in a key
        axes.text(
            0.02,
            0.98,
            "\n".join(key),
            transform=axes.transAxes,
            va="top",
            fontsize=7,
            family="monospace",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "#cccccc"},
        )
    axes.set_xlim(*content.x_range)
    axes.set_ylim(*content.y_range)
    axes.set_xlabel(X_LABEL)
    axes.set_ylabel(Y_LABEL)
    axes.set_title(title or f"Roofline: {device.name}")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="lower right", fontsize=8)
    if path is not None:
        figure.savefig(path, dpi=120)
    return figure


def _draw_roofs(axes, content: Chart) -> None:
    low, high = content.x_range
    bandwidth = content.device.bandwidth
    top = max(roof.peak for roof in content.roofs)
    axes.plot(
        [low, top / bandwidth],
        [low * bandwidth, top],
        color="black",
        linewidth=1.5,
        label=f"memory {bandwidth / 1e12:.2f} TB/s{_measured(content, 'bandwidth')}",
    )
    sharing: dict[float, list[str]] = {}  # precisions of one peak (bf16 and fp16): one roof
    for roof in content.roofs:
        sharing.setdefault(roof.peak, []).append(roof.precision)
    for roof in content.roofs:
        if roof.precision != sharing[roof.peak][0]:
            continue  # drawn, and its ridge labelled, once with the first
        colour = _ROOF_COLOURS.get(roof.precision, "#8c564b")
        names = " / ".join(sharing[roof.peak])
        axes.plot(
            [roof.ridge, high],
            [roof.peak, roof.peak],
            color=colour,
            linewidth=1.5,
            label=f"{names} {roof.peak / 1e12:.0f} TFLOP/s{_measured(content, roof.precision)}",
        )
        axes.plot([roof.ridge], [roof.peak], marker="o", color=colour, markersize=4)
        axes.annotate(
            f"ridge {roof.ridge:.0f}",
            (roof.ridge, roof.peak),
            textcoords="offset points",
            xytext=(-8, 4),
            ha="right",
            fontsize=7,
            color=colour,
        )


def _draw_cloud(axes, content: Chart) -> None:
    """Candidates as small translucent dots; the default as a hollow square, an arrow from it
    to the chosen configuration with the speed-up."""
    if not content.cloud:
        return
    axes.scatter(
        [p.intensity for p in content.cloud],
        [p.achieved for p in content.cloud],
        s=16,
        color=CLOUD_COLOUR,
        alpha=0.45,
        linewidths=0,
        label=cloud_label(len(content.cloud)),
        zorder=2,
    )
    tuning = content.tuning
    if tuning is None or tuning.baseline is None:
        return
    default, chosen = tuning.baseline, tuning.chosen
    axes.scatter(
        [default.intensity],
        [default.achieved],
        s=40,
        marker="s",
        facecolors="none",
        edgecolors="black",
        linewidths=1.0,
        label=f"default config ({default.seconds * 1e3:.3g} ms)",
        zorder=3,
    )
    if tuning.best != tuning.default:
        axes.annotate(
            "",
            xy=(chosen.intensity, chosen.achieved),
            xytext=(default.intensity, default.achieved),
            arrowprops={"arrowstyle": "->", "color": "#555555", "linewidth": 1.0},
            zorder=2,
        )
    axes.annotate(
        speedup_text(tuning),
        (default.intensity, default.achieved),
        textcoords="offset points",
        xytext=(-6, 4),
        ha="right",
        fontsize=8,
        color="#555555",
    )


def _measured(content: Chart, field: str) -> str:
    return " (measured)" if field in content.device.measured else " (datasheet)"
