"""Probes (round 13b) of `torch.div(a, b, rounding_mode=...)` in device code, refused before
(a spelling index math in ML code uses often): 'floor' is `a // b` (floor_divide), 'trunc'
rounds the quotient towards zero (`trunc_divide`: Triton's integer `//`, `trunc(a / b)` of
floats), None is true division. Integers of several widths and signs, Python numbers, floats
with -0.0 and infinities; grouped one kernel per inputs (probe_groups.py), each against torch
(integers exactly, floats in float64), each kernel also compiled for sm_90 (conftest)."""

from __future__ import annotations

import torch
from helpers import DEVICE
from probe_groups import assert_each_as_torch

N = 47
F32, I32, I64 = "torch.float32", "torch.int32", "torch.int64"


def ints(low, high, dtype=torch.int32):
    values = torch.randint(low, high, (N,), device=DEVICE)
    values[values == 0] = -3  # never zero: a divisor
    return values.to(dtype)


INTEGERS = {  # x: int32 in [-100, 100); d: int32 in [-9, 9); w: int64 in [-10**12, 10**12); u: uint8
    "floor": ("torch.div(x[tile], d[tile], rounding_mode='floor')", I32, lambda x, d, w, u: torch.div(x, d, rounding_mode="floor")),
    "trunc": ("torch.div(x[tile], d[tile], rounding_mode='trunc')", I32, lambda x, d, w, u: torch.div(x, d, rounding_mode="trunc")),
    "method_trunc_by_number": ("x[tile].div(-7, rounding_mode='trunc')", I32, lambda x, d, w, u: x.div(-7, rounding_mode="trunc")),
    "method_floor_by_number": ("x[tile].div(-7, rounding_mode='floor')", I32, lambda x, d, w, u: x.div(-7, rounding_mode="floor")),
    "none_is_true_division": ("torch.div(x[tile], d[tile], rounding_mode=None)", F32, lambda x, d, w, u: torch.div(x, d)),
    "wide_trunc": ("torch.div(w[tile], d[tile], rounding_mode='trunc')", I64, lambda x, d, w, u: torch.div(w, d, rounding_mode="trunc")),
    "wide_floor_by_int32": ("torch.div(w[tile], x[tile], rounding_mode='floor')", I64, lambda x, d, w, u: torch.div(w, x, rounding_mode="floor")),
    "uint8_by_int32_trunc": ("torch.div(u[tile], d[tile], rounding_mode='trunc')", I32, lambda x, d, w, u: torch.div(u, d, rounding_mode="trunc")),
    "index_arithmetic": ("torch.div(tile.index * 7 - 60, 4, rounding_mode='floor') + x[tile]", I64, lambda x, d, w, u: torch.div(torch.arange(N) * 7 - 60, 4, rounding_mode="floor") + x),
}  # fmt: skip


def test_integer_divisions_round_as_torch():
    args = [
        ints(-100, 100),
        ints(-9, 9),
        ints(-(10**12), 10**12, torch.int64),
        ints(1, 255, torch.uint8),
    ]
    signature = "x: torch.Tensor, d: torch.Tensor, w: torch.Tensor, u: torch.Tensor"
    assert_each_as_torch(signature, INTEGERS, args)


def edges():
    values = torch.randn(N, device=DEVICE) * 5
    values[:6] = torch.tensor([-0.0, 0.0, float("inf"), float("-inf"), float("nan"), -2.5])
    return values


FLOATS = {  # x: floats with the edges; y: floats
    "floor": ("torch.div(x[tile], y[tile], rounding_mode='floor')", F32, lambda x, y: torch.div(x, y, rounding_mode="floor")),
    "trunc": ("torch.div(x[tile], y[tile], rounding_mode='trunc')", F32, lambda x, y: torch.div(x, y, rounding_mode="trunc")),
    "trunc_sign_of_zero": ("1.0 / torch.div(x[tile], -7.5, rounding_mode='trunc')", F32, lambda x, y: 1.0 / torch.div(x, -7.5, rounding_mode="trunc")),
    "floor_by_edges": ("torch.div(y[tile], x[tile], rounding_mode='floor')", F32, lambda x, y: torch.div(y, x, rounding_mode="floor")),
    "trunc_by_edges": ("torch.div(y[tile], x[tile], rounding_mode='trunc')", F32, lambda x, y: torch.div(y, x, rounding_mode="trunc")),
}  # fmt: skip


def test_float_divisions_round_as_torch():
    assert_each_as_torch(
        "x: torch.Tensor, y: torch.Tensor", FLOATS, [edges(), torch.randn(N, device=DEVICE) * 2]
    )
