"""Probes (round 13b) of the edges torch's float functions keep: the sign of a zero (seen
through `1 / v`, whose infinity carries it), infinities and NaN, in `//`, `%`, `**`, atan2,
copysign and the odd functions tanh / sinh / asinh / atan. Grouped one kernel per inputs (see
probe_groups.py); each against torch in float64, each kernel also compiled for sm_90 (conftest).

Found silently wrong in round 13b, each fixed in the helper's Triton (emit/prelude*.py):
- `y // x`, `x % 1.5`, `x ** -1` of a -0.0: the helpers made their operands one dtype with
  `v + zero`, and -0.0 + 0.0 is +0.0: `-1 // -0.0` was -inf (torch: inf), `1 / (x % 1.5)` of
  -0.0 inf (torch: -inf), `(-0.0) ** -1` inf (torch: -inf). Now `v - zero`, which keeps it.
- Triton's unary minus is `0 - v`, which makes -0.0 of no zero: copysign(0.0, -1) was +0.0,
  atan2(-0.0, 1) +0.0; tanh, sinh, asinh, atan of -0.0 were +0.0. Now `v * -1`, or x itself
  where x is a zero.
- atan2 read the signs of zeros as positive: atan2(-0.0, -1) was pi (torch: -pi),
  atan2(0.0, -0.0) 0 (torch: pi).
- `torch.pow(1.0, x)` was nan for an infinite or NaN x (torch, as C: 1), `(-1.0) ** inf` nan
  (torch: 1), `(-inf) ** 2.5` nan (torch: inf).
- `x ** 0.5` / `x ** -0.5` went through exp2 / log2: `(-inf) ** 0.5` was inf and `(-0.0) **
  0.5` 0.0, where torch's pow kernels take these exponents as sqrt / rsqrt (nan, -0.0); now
  `tl.sqrt` / `tl.rsqrt` (also one rounding, not three)."""

from __future__ import annotations

import torch
from helpers import DEVICE
from probe_groups import assert_each_as_torch

F32 = "torch.float32"
SPECIALS = [-0.0, 0.0, float("inf"), float("-inf"), float("nan"), -1.0, 1.0, -0.5, 2.5, -3.0]


def edges(n=47, shift=0):
    """Zeros of both signs, infinities, NaN and +-1 among fresh random values."""
    values = torch.randn(n, device=DEVICE) * 3
    values[: len(SPECIALS)] = torch.tensor(SPECIALS)
    return values.roll(shift)


SIGNS = {  # x: the edges; y: the edges shifted by 3 (each special meets several others)
    "floordiv_by_signed_zero": ("1.0 / (y[tile] // x[tile])", F32, lambda x, y: 1.0 / (y // x)),
    "floordiv": ("y[tile] // x[tile]", F32, lambda x, y: y // x),
    "floordiv_number": ("1.0 / (x[tile] // 1.5)", F32, lambda x, y: 1.0 / (x // 1.5)),
    "mod_number": ("1.0 / (x[tile] % 1.5)", F32, lambda x, y: 1.0 / (x % 1.5)),
    "mod": ("y[tile] % x[tile]", F32, lambda x, y: y % x),
    "fmod": ("torch.fmod(y[tile], x[tile])", F32, lambda x, y: torch.fmod(y, x)),
    "fmod_of_zeros": ("1.0 / torch.fmod(x[tile], -1.5)", F32, lambda x, y: 1.0 / torch.fmod(x, -1.5)),
    "fmod_by_an_int": ("torch.fmod(x[tile], 2)", F32, lambda x, y: torch.fmod(x, 2)),
    "remainder_of_zeros": ("1.0 / torch.remainder(x[tile], -2.0)", F32, lambda x, y: 1.0 / torch.remainder(x, -2.0)),
    "power_minus_one": ("x[tile] ** -1", F32, lambda x, y: x**-1),
    "power_minus_three": ("x[tile] ** -3", F32, lambda x, y: x**-3),
    "power_of_tensors": ("torch.pow(x[tile], y[tile])", F32, lambda x, y: torch.pow(x, y)),
    "power_of_tensors_swapped": ("torch.pow(y[tile], x[tile])", F32, lambda x, y: torch.pow(y, x)),
    "one_to_the": ("torch.pow(1.0, x[tile])", F32, lambda x, y: torch.pow(1.0, x)),
    "minus_one_to_the": ("torch.pow(-1.0, x[tile])", F32, lambda x, y: torch.pow(-1.0, x)),
    "half_to_the": ("0.5 ** x[tile]", F32, lambda x, y: 0.5**x),
    "power_fraction": ("x[tile] ** 2.5", F32, lambda x, y: x**2.5),
    "square_root_power": ("1.0 / x[tile] ** 0.5", F32, lambda x, y: 1.0 / x**0.5),
    "square_root_pow": ("torch.pow(x[tile], 0.5)", F32, lambda x, y: torch.pow(x, 0.5)),
    "reciprocal_root_power": ("x[tile].pow(-0.5)", F32, lambda x, y: x.pow(-0.5)),
    "atan2": ("torch.atan2(x[tile], y[tile])", F32, lambda x, y: torch.atan2(x, y)),
    "atan2_swapped": ("torch.atan2(y[tile], x[tile])", F32, lambda x, y: torch.atan2(y, x)),
    "atan2_of_zero_over": ("1.0 / torch.atan2(x[tile] * 0.0, 2.0 + y[tile] * 0.0)", F32, lambda x, y: 1.0 / torch.atan2(x * 0.0, 2.0 + y * 0.0)),
    "copysign_of_zero": ("1.0 / torch.copysign(x[tile] * 0.0, y[tile])", F32, lambda x, y: 1.0 / torch.copysign(x * 0.0, y)),
    "copysign": ("torch.copysign(x[tile], y[tile])", F32, lambda x, y: torch.copysign(x, y)),
    "tanh_of_zeros": ("1.0 / torch.tanh(x[tile])", F32, lambda x, y: 1.0 / torch.tanh(x)),
    "sinh_of_zeros": ("1.0 / torch.sinh(x[tile])", F32, lambda x, y: 1.0 / torch.sinh(x)),
    "asinh_of_zeros": ("1.0 / torch.asinh(x[tile])", F32, lambda x, y: 1.0 / torch.asinh(x)),
    "atan_of_zeros": ("1.0 / torch.atan(x[tile])", F32, lambda x, y: 1.0 / torch.atan(x)),
    "tanhshrink": ("torch.nn.functional.tanhshrink(x[tile])", F32, lambda x, y: torch.nn.functional.tanhshrink(x)),
}  # fmt: skip


def test_signed_zeros_infinities_and_nan_compute_as_torch():
    """was: 12 of these wrong (the signs of zeros and infinities, NaN for 1 ** inf)."""
    assert_each_as_torch("x: torch.Tensor, y: torch.Tensor", SIGNS, [edges(), edges(shift=3)])


INTEGER_ROOTS = {  # x: int32 in [1, 60); t: float64 edges
    "root_of_ints": ("x[tile] ** 0.5", F32, lambda x, t: x.double() ** 0.5),
    "reciprocal_root_of_ints": ("torch.pow(x[tile], -0.5)", F32, lambda x, t: x.double() ** -0.5),
    "float64_root": ("t[tile] ** 0.5", "torch.float64", lambda x, t: t**0.5),
    "float64_floordiv": ("1.0 / (t[tile] // -1.25)", "torch.float64", lambda x, t: 1.0 / (t // -1.25)),
    "float64_atan2": ("torch.atan2(t[tile], t[tile] * -1.0)", "torch.float64", lambda x, t: torch.atan2(t, t * -1.0)),
}  # fmt: skip


def test_roots_of_integers_and_float64_edges_compute_as_torch():
    """Roots of an int32 tensor are float32's (as_float, then tl.sqrt); float64 edges keep
    float64 (tl.sqrt of float64, the helpers' float64 paths)."""
    ints = torch.randint(1, 60, (47,), device=DEVICE, dtype=torch.int32)
    args = [ints, edges().double()]
    assert_each_as_torch("x: torch.Tensor, t: torch.Tensor", INTEGER_ROOTS, args)
