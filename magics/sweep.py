"""`--bench` over sizes: one kernel call timed at several sizes against torch eager and
torch.compile of the same source, as Triton's `perf_report` draws it."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from transpiler.analysis.perf import analyse
from transpiler.analysis.perf.timing import time_kernel

from .program import CELL_FILENAME
from .timing import tensor_bytes

SMALLEST = 256  # default sizes stop here: below it a launch is all there is to time
STEPS = 6  # default sizes: the call's own and five halvings below it
ONE_CALL = "bench sweep: needs EXPR to be one kernel call (its arguments are what is resized)"
TIMED = ("this kernel", "torch eager", "torch.compile")


@dataclass(frozen=True)
class Row:
    """One size: bytes moved, FLOPs, and the median ms of each of TIMED (None: not timed)."""

    size: int
    moved: int
    flops: float
    ms: tuple[float | None, ...]


def parse_sizes(text: str) -> list[int]:
    """`--sizes 1024,2**20,4096`: positive integers (Python integer expressions)."""
    sizes = []
    for part in text.split(","):
        try:
            value = eval(part, {"__builtins__": {}})  # noqa: S307 - the user's own magic line
        except Exception:
            value = None
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"--sizes: {part.strip()!r} is not a positive integer")
        sizes.append(value)
    return sizes


def largest_dimension(args: Sequence[Any]) -> int:
    return max((d for a in args if isinstance(a, torch.Tensor) for d in a.shape), default=0)


def default_sizes(args: Sequence[Any]) -> list[int]:
    """The call's largest dimension and its halvings (down to SMALLEST), smallest first."""
    largest = largest_dimension(args)
    sizes = [largest >> step for step in range(STEPS)]
    return sorted({size for size in sizes if size >= SMALLEST} | {largest})


def resized(args: Sequence[Any], size: int) -> list[Any]:
    """Fresh random arguments: every dimension equal to the call's largest becomes `size`
    (a square matmul scales all three; a vector add its length); other arguments as given."""
    largest = largest_dimension(args)
    fresh: list[Any] = []
    for value in args:
        if not isinstance(value, torch.Tensor):
            fresh.append(value)
            continue
        shape = [size if d == largest else d for d in value.shape]
        if value.dtype.is_floating_point:
            fresh.append(torch.randn(shape, device=value.device).to(value.dtype))
        else:
            fresh.append(torch.randint(1, 4, shape, device=value.device).to(value.dtype))
    return fresh


def sweep(
    kernel: Callable[..., Any],
    reference: Callable[..., Any],
    args: Sequence[Any],
    sizes: Sequence[int],
    time: Callable[[Callable[[], Any]], float | None],
    flops: Callable[[list[Any]], float],
) -> list[Row]:
    """Each size: the kernel, the eager reference and torch.compile of it on the same inputs."""
    compiled = torch.compile(reference)
    rows = []
    for size in sizes:
        inputs = resized(args, size)
        result = kernel(*inputs)
        timed = []
        for run in (kernel, reference, compiled):
            try:
                timed.append(time(lambda run=run, inputs=inputs: run(*inputs)))
            except Exception:  # torch.compile of a reference it cannot trace: not timed
                timed.append(None)
        rows.append(Row(size, tensor_bytes([inputs, result]), flops(inputs), tuple(timed)))
    return rows


def rate(row: Row, ms: float | None, compute: bool) -> float | None:
    """TFLOP/s (a kernel with matrix products) or GB/s at one timing."""
    if ms is None or ms <= 0:
        return None
    return row.flops / ms / 1e9 if compute else row.moved / ms / 1e6


def table(expression: str, rows: list[Row], compute: bool) -> list[str]:
    unit = "TFLOP/s" if compute else "GB/s"
    lines = [f"bench {expression} over sizes ({unit}; median of triton.testing.do_bench):"]
    lines.append(f"  {'size':>10}" + "".join(f"{name:>15}" for name in TIMED))
    for row in rows:
        cells = [rate(row, ms, compute) for ms in row.ms]
        shown = "".join(f"{c:>15.1f}" if c is not None else f"{'-':>15}" for c in cells)
        lines.append(f"  {row.size:>10}{shown}")
    return lines


def figure_png(expression: str, rows: list[Row], compute: bool) -> bytes:
    """GB/s or TFLOP/s against size, one line per TIMED, log-scaled sizes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4), layout="constrained")
    axes = figure.add_subplot()
    for index, name in enumerate(TIMED):
        points = [(row.size, rate(row, row.ms[index], compute)) for row in rows]
        points = [(size, value) for size, value in points if value is not None]
        if points:
            axes.plot(*zip(*points), marker="o", label=name)
    axes.set_xscale("log", base=2)
    axes.set_xlabel("size (the call's largest dimension)")
    axes.set_ylabel("TFLOP/s" if compute else "GB/s")
    axes.set_title(f"{expression}: {'TFLOP/s' if compute else 'GB/s'} over sizes")
    axes.grid(True, alpha=0.3)
    axes.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def sweep_report(
    expression: str,
    source: str,
    calls: Sequence[Any],
    sizes_text: str | None,
    block_sizes: Any = None,
) -> tuple[list[str], bytes | None]:
    """Lines and a figure for EXPR's one kernel call over `--sizes` (default: its largest
    dimension and halvings of it); one line saying why when there is nothing to sweep."""

    if len(calls) != 1:
        return [ONE_CALL], None
    (call,) = calls
    try:
        sizes = parse_sizes(sizes_text) if sizes_text else default_sizes(call.args)
    except ValueError as error:
        return [f"bench sweep: {error}"], None
    kernel = call.kernel

    def flops(inputs: list[Any]) -> float:
        try:
            sized = analyse(source, call.kernel.name, tuple(inputs), filename=CELL_FILENAME)
            return sized.cost(block_sizes).flops
        except Exception:  # the cost model cannot count it: GB/s are still right
            return 0.0

    try:
        work = analyse(source, call.kernel.name, tuple(call.args), filename=CELL_FILENAME)
        compute = work.cost(block_sizes).dot_flops > 0
    except Exception:
        compute = False
    rows = sweep(kernel, kernel.reference, call.args, sizes, lambda fn: time_kernel(fn).ms, flops)
    return table(expression, rows, compute), figure_png(expression, rows, compute)
