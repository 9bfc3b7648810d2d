"""Probes (round 14a) of the signs of zeros through negation and the float extremes, each
against torch in float64 (the sign seen through `1 / v`, whose infinity carries it), grouped one
kernel per inputs (probe_groups.py), each kernel also compiled for sm_90 (conftest).

Found silently wrong in round 14a:
- `-x` / `torch.neg(x)` of a +0.0 was +0.0 (Triton's unary minus is `0 - x`): `1 / -x` was inf
  where torch has -inf. Floats now negate as `x * -1` (lower/negative_zero.py), through the
  `negate` helper where only the launch knows the dtype; integers keep Triton's `-x`.
- `torch.maximum(0.0, -0.0)` was -0.0 in the interpreter (numpy returns the second of equal
  values) and +0.0 compiled for a GPU (LLVM's maximum orders -0.0 below +0.0). The interpreter
  now orders zeros as the GPU does (run/interpreter_minmax.py). Torch has no one answer there
  (CPU: the first operand for 8 elements, the second for 100; CPU relu(-0.0) is -0.0), so these
  probes hold ours to IEEE 754-2019's order, the GPU's (docs/language.md).
- `torch.clamp(x, min=-0.0)` clamped to +0.0: the bound, a -0.0 literal, reached Triton as
  written (Triton reads it as 0.0); it is now `negative_zero()` as other operands were."""

from __future__ import annotations

import torch
from helpers import DEVICE
from probe_groups import assert_each_as_torch

F32, F64, F16 = "torch.float32", "torch.float64", "torch.float16"
ZEROS = [0.0, -0.0, 0.0, -0.0, -0.0, 0.0, float("nan"), float("inf"), -1.5, 2.25]


def edges(n=45, shift=0, dtype=torch.float32):
    """Zeros of both signs (meeting each other, shifted), NaN, inf among fresh random values."""
    values = torch.randn(n, dtype=torch.float64) * 3 + 0.25
    values[: len(ZEROS)] = torch.tensor(ZEROS, dtype=torch.float64)
    return values.roll(shift).to(dtype).to(DEVICE)


def ieee_max(x, y):
    """IEEE 754-2019 maximum: NaN wins, +0.0 above -0.0."""
    tie = torch.where(torch.signbit(x), y, x)
    return torch.where(x == y, tie, torch.maximum(x, y))


def ieee_min(x, y):
    tie = torch.where(torch.signbit(x), x, y)
    return torch.where(x == y, tie, torch.minimum(x, y))


NEGATIONS = {  # x, y: the edges, y shifted by one (a +0.0 meets a -0.0)
    "minus": ("1.0 / -x[tile]", F32, lambda x, y: 1.0 / -x),
    "neg": ("1.0 / torch.neg(x[tile])", F32, lambda x, y: 1.0 / torch.neg(x)),
    "neg_method": ("1.0 / x[tile].neg()", F32, lambda x, y: 1.0 / x.neg()),
    "minus_of_known_float": ("1.0 / -torch.sin(x[tile])", F32, lambda x, y: 1.0 / -torch.sin(x)),
    "minus_of_a_difference": ("1.0 / -(x[tile] - y[tile])", F32, lambda x, y: 1.0 / -(x - y)),
    "minus_into_float64": ("1.0 / -x[tile]", F64, lambda x, y: 1.0 / -x),
    "maximum": ("1.0 / torch.maximum(x[tile], y[tile])", F32, lambda x, y: 1.0 / ieee_max(x, y)),
    "maximum_swapped": ("1.0 / torch.maximum(y[tile], x[tile])", F32, lambda x, y: 1.0 / ieee_max(y, x)),
    "minimum": ("1.0 / torch.minimum(x[tile], y[tile])", F32, lambda x, y: 1.0 / ieee_min(x, y)),
    "minimum_swapped": ("1.0 / torch.minimum(y[tile], x[tile])", F32, lambda x, y: 1.0 / ieee_min(y, x)),
    "relu": ("1.0 / torch.relu(x[tile])", F32, lambda x, y: 1.0 / ieee_max(x, torch.zeros_like(x))),
    "clamp_min": ("1.0 / torch.clamp(x[tile], min=0.0)", F32, lambda x, y: 1.0 / ieee_max(x, torch.zeros_like(x))),
    "clamp_max": ("1.0 / x[tile].clamp(max=0.0)", F32, lambda x, y: 1.0 / ieee_min(x, torch.zeros_like(x))),
    "clamp_min_negative_zero": ("1.0 / torch.clamp(x[tile], min=-0.0)", F32, lambda x, y: 1.0 / ieee_max(x, -torch.zeros_like(x))),
    "clamp_max_negative_zero": ("1.0 / torch.clamp(x[tile], max=-0.0)", F32, lambda x, y: 1.0 / ieee_min(x, -torch.zeros_like(x))),
}  # fmt: skip


def test_negation_and_extremes_keep_the_sign_of_zero():
    """was: -x of +0.0 +0.0 (six probes); maximum / minimum of mixed zeros by operand order."""
    assert_each_as_torch("x: torch.Tensor, y: torch.Tensor", NEGATIONS, [edges(), edges(shift=1)])


WIDTHS = {  # x: float64 edges, h: float16 edges (their arithmetic computed in float32)
    "float64_minus": ("1.0 / -x[tile]", F64, lambda x, h: 1.0 / -x),
    "float64_neg_then_maximum": ("1.0 / torch.maximum(-x[tile], x[tile] * 0.0)", F64, lambda x, h: 1.0 / ieee_max(-x, x * 0.0)),
    "float16_minus": ("1.0 / -h[tile]", F32, lambda x, h: 1.0 / -h),
    "float16_neg_stored_half": ("torch.neg(h[tile]) * 2", F16, lambda x, h: torch.neg(h) * 2),
}  # fmt: skip


def test_negation_of_float64_and_float16_keeps_the_sign_of_zero():
    args = [edges(dtype=torch.float64), edges(shift=2, dtype=torch.float16)]
    assert_each_as_torch("x: torch.Tensor, h: torch.Tensor", WIDTHS, args, tight=False)


INTEGERS = {  # x: int8 with its extremes, u: uint8 (torch's minus wraps both)
    "int8_minus": ("-x[tile]", "torch.int8", lambda x, u: -x),
    "int8_neg_plus": ("torch.neg(x[tile]) + 3", "torch.int8", lambda x, u: torch.neg(x) + 3),
    "uint8_minus": ("-u[tile]", "torch.uint8", lambda x, u: -u),
    "int8_maximum": ("torch.maximum(-x[tile], x[tile])", "torch.int8", lambda x, u: torch.maximum(-x, x)),
}  # fmt: skip


def test_negation_of_integers_wraps_as_torch():
    """Integers keep Triton's `-x` (`x * -1` is refused for unsigned ones): -(-128) is -128."""
    ints = torch.randint(-128, 128, (45,), dtype=torch.int8)
    ints[:3] = torch.tensor([-128, 127, 0], dtype=torch.int8)
    unsigned = torch.randint(1, 256, (45,), dtype=torch.uint8)
    unsigned[:2] = torch.tensor([0, 255], dtype=torch.uint8)
    assert_each_as_torch("x: torch.Tensor, u: torch.Tensor", INTEGERS, [ints, unsigned])
