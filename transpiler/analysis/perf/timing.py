"""Timing a launch on the GPU (triton.testing.do_bench median) and the rates it implies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from .cost import Cost


@dataclass(frozen=True)
class Timing:
    """A median time in milliseconds, or None and the reason nothing was timed."""

    ms: float | None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ms is not None


def time_kernel(
    fn: Callable[..., Any], *args: Any, warmup_ms: int = 25, rep_ms: int = 200
) -> Timing:
    """Median milliseconds of `fn(*args)` with CUDA events (after warm-up); None on CPU."""
    if not torch.cuda.is_available():
        return Timing(None, "no CUDA device: Triton's CPU interpreter is not timed")
    if any(isinstance(a, torch.Tensor) and not a.is_cuda for a in args):
        return Timing(None, "arguments are not on the GPU")
    import triton.testing

    ms = triton.testing.do_bench(
        lambda: fn(*args), warmup=warmup_ms, rep=rep_ms, return_mode="median"
    )
    return Timing(float(ms))


def gigabytes_per_second(byte_count: float, ms: float) -> float:
    return byte_count / (ms * 1e-3) / 1e9


def teraflops(flops: float, ms: float) -> float:
    return flops / (ms * 1e-3) / 1e12


def rates(cost: Cost, ms: float) -> dict[str, float]:
    """GB/s of the minimum bytes, GB/s as tiled, and TFLOP/s, for one measured time."""
    return {
        "GB/s": gigabytes_per_second(cost.min_bytes, ms),
        "tiled GB/s": gigabytes_per_second(cost.tiled_bytes, ms),
        "TFLOP/s": teraflops(cost.flops, ms),
    }
