"""@triton.jit helpers for max / min reductions that keep a NaN, as torch's do (tl.max drops it)."""

from __future__ import annotations

# Each helper: its source, and the helpers it calls (prelude.HELPERS takes them all).
EXTREME_HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "max_nan": (
        """@triton.jit
def max_nan(x, axis: tl.constexpr = None, keep_dims: tl.constexpr = False):  # torch's max: NaN wins
    return tl.reduce(upcast_half(x), axis, maximum_nan, keep_dims=keep_dims)  # (tl.max drops it)


@triton.jit
def maximum_nan(a, b):
    return tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)
""",
        ("upcast_half",),
    ),
    "min_nan": (
        """@triton.jit
def min_nan(x, axis: tl.constexpr = None, keep_dims: tl.constexpr = False):  # torch's min: NaN wins
    return tl.reduce(upcast_half(x), axis, minimum_nan, keep_dims=keep_dims)  # (tl.min drops it)


@triton.jit
def minimum_nan(a, b):
    return tl.minimum(a, b, propagate_nan=tl.PropagateNan.ALL)
""",
        ("upcast_half",),
    ),
}
