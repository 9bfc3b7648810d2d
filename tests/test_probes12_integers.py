"""Evaluator-style probes of number semantics (round 12), grouped one kernel per inputs: `//`
and `%` with negative operands (torch floors, C truncates), torch.remainder against torch.fmod,
int8 / uint8 / int16 wrapping and promotion with Python ints and floats, shifts and bitwise
ops, float -> int casts of negatives, round (half to even), trunc, floor, ceil, sign, clamp
with tensor bounds or one bound, torch.where with Python numbers of another kind, scalar
arguments of each kind in arithmetic. Each probe against torch (floats in float64); each
kernel also compiled for sm_90 (conftest). All computed as torch when written: no fix here."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_groups import assert_each_as_torch

N = 53
F32, I64, BOOL = "torch.float32", "torch.int64", "torch.bool"


def ints(low, high, dtype=torch.int32, n=N):
    values = torch.randint(low, high, (n,), device=DEVICE)
    values[values == 0] = 7  # never zero: a divisor, and no zeros as inputs
    return values.to(dtype)


def floats(n=N):
    return torch.randn(n, device=DEVICE) * 3


def halves(n=N):
    """Multiples of 0.5 (never 0): `//` and `%` by 0.75 land far from a rounding boundary."""
    values = torch.randint(-12, 12, (n,), device=DEVICE).float() * 0.5
    values[values == 0] = 1.5
    return values


INT32 = {  # x, y: int32 in [-50, 50) and [-9, 9); s: shifts 1..7
    "floordiv_const": ("x[tile] // 3", "x.dtype", lambda x, y, s: x // 3),
    "mod_const": ("x[tile] % 3", "x.dtype", lambda x, y, s: x % 3),
    "floordiv_negative_const": ("x[tile] // -4", "x.dtype", lambda x, y, s: x // -4),
    "mod_negative_const": ("x[tile] % -4", "x.dtype", lambda x, y, s: x % -4),
    "number_floordiv_tensor": ("-7 // x[tile]", "x.dtype", lambda x, y, s: -7 // x),
    "number_mod_tensor": ("-7 % x[tile]", "x.dtype", lambda x, y, s: -7 % x),
    "floordiv_tensors": ("x[tile] // y[tile]", "x.dtype", lambda x, y, s: x // y),
    "mod_tensors": ("x[tile] % y[tile]", "x.dtype", lambda x, y, s: x % y),
    "remainder": ("torch.remainder(x[tile], y[tile])", "x.dtype", lambda x, y, s: torch.remainder(x, y)),
    "fmod": ("torch.fmod(x[tile], y[tile])", "x.dtype", lambda x, y, s: torch.fmod(x, y)),
    "fmod_negative_const": ("torch.fmod(x[tile], -5)", "x.dtype", lambda x, y, s: torch.fmod(x, -5)),
    "remainder_negative_const": ("torch.remainder(x[tile], -5)", "x.dtype", lambda x, y, s: torch.remainder(x, -5)),
    "floor_divide": ("torch.floor_divide(x[tile], y[tile])", "x.dtype", lambda x, y, s: torch.floor_divide(x, y)),
    "true_divide": ("x[tile] / y[tile]", F32, lambda x, y, s: x / y),
    "true_divide_const": ("x[tile] / 4", F32, lambda x, y, s: x / 4),
    "bitwise_and": ("torch.bitwise_and(x[tile], y[tile])", "x.dtype", lambda x, y, s: x & y),
    "bitwise_xor_const": ("torch.bitwise_xor(x[tile], 5)", "x.dtype", lambda x, y, s: x ^ 5),
    "bitwise_not": ("torch.bitwise_not(x[tile])", "x.dtype", lambda x, y, s: ~x),
    "shift_left_const": ("x[tile] << 3", "x.dtype", lambda x, y, s: x << 3),
    "shift_right_negative": ("x[tile] >> 2", "x.dtype", lambda x, y, s: x >> 2),
    "shift_left_tensor": ("x[tile] << s[tile]", "x.dtype", lambda x, y, s: x << s),
    "bitwise_left_shift": ("torch.bitwise_left_shift(x[tile], s[tile])", "x.dtype", lambda x, y, s: x << s),
    "bitwise_right_shift": ("torch.bitwise_right_shift(x[tile], s[tile])", "x.dtype", lambda x, y, s: x >> s),
    "sign": ("torch.sign(x[tile])", "x.dtype", lambda x, y, s: torch.sign(x)),
    "round": ("torch.round(x[tile])", "x.dtype", lambda x, y, s: torch.round(x)),
    "floor": ("torch.floor(x[tile])", "x.dtype", lambda x, y, s: torch.floor(x)),
    "clamp_float_min": ("torch.clamp(x[tile], min=0.5)", F32, lambda x, y, s: torch.clamp(x, min=0.5)),
    "clamp_ints": ("torch.clamp(x[tile], -3, 4)", "x.dtype", lambda x, y, s: torch.clamp(x, -3, 4)),
    "square": ("x[tile] ** 2", "x.dtype", lambda x, y, s: x**2),
    "square_root_power": ("x[tile].abs() ** 0.5", F32, lambda x, y, s: x.abs().double() ** 0.5),
    "two_to_the": ("2 ** s[tile]", "x.dtype", lambda x, y, s: 2**s),
    "minimum_full_like": ("torch.minimum(x[tile], torch.full_like(x[tile], 5))", "x.dtype", lambda x, y, s: x.clamp(max=5)),
    "where_float_number": ("torch.where(x[tile] > 0, x[tile], 2.5)", F32, lambda x, y, s: torch.where(x > 0, x.double(), 2.5)),
    "maximum_int_float": ("torch.maximum(x[tile], y[tile] * 0.5)", F32, lambda x, y, s: torch.maximum(x.double(), y * 0.5)),
}  # fmt: skip


def test_int32_division_remainders_shifts_and_promotions_compute_as_torch():
    args = [ints(-50, 50), ints(-9, 9), ints(1, 8)]
    assert_each_as_torch("x: torch.Tensor, y: torch.Tensor, s: torch.Tensor", INT32, args)


NARROW = {  # b: int8, u: uint8, h: int16, all as x's length
    "int8_plus_int_wraps": ("b[tile] + 100", "b.dtype", lambda x, b, u, h: b + 100),
    "int8_times_int_wraps": ("b[tile] * 3", "b.dtype", lambda x, b, u, h: b * 3),
    "int8_plus_float": ("b[tile] + 1.5", F32, lambda x, b, u, h: b + 1.5),
    "int8_true_divide": ("b[tile] / 3", F32, lambda x, b, u, h: b / 3),
    "uint8_minus_int_wraps": ("u[tile] - 200", "u.dtype", lambda x, b, u, h: u - 200),
    "uint8_negated_wraps": ("-u[tile]", "u.dtype", lambda x, b, u, h: -u),
    "int16_times_int8": ("h[tile] * b[tile]", "h.dtype", lambda x, b, u, h: h * b),
    "int16_times_int_wraps": ("h[tile] * 1000", "h.dtype", lambda x, b, u, h: h * 1000),
    "int8_abs_of_lowest": ("torch.abs(b[tile])", "b.dtype", lambda x, b, u, h: torch.abs(b)),
    "int8_floordiv": ("b[tile] // 3", "b.dtype", lambda x, b, u, h: b // 3),
    "int8_mod_negative": ("b[tile] % -7", "b.dtype", lambda x, b, u, h: b % -7),
    "uint8_mod": ("u[tile] % 7", "u.dtype", lambda x, b, u, h: u % 7),
    "uint8_floordiv": ("u[tile] // 7", "u.dtype", lambda x, b, u, h: u // 7),
    "uint8_shift_right": ("u[tile] >> 1", "u.dtype", lambda x, b, u, h: u >> 1),
    "int8_shift_left_wraps": ("b[tile] << 3", "b.dtype", lambda x, b, u, h: b << 3),
    "uint8_inverted": ("~u[tile]", "u.dtype", lambda x, b, u, h: ~u),
    "int8_to_int32_times_int": ("b[tile].to(torch.int32) * 300", "torch.int32", lambda x, b, u, h: b.int() * 300),
    "int8_where_int": ("torch.where(b[tile] > 0, b[tile], -100)", "b.dtype", lambda x, b, u, h: torch.where(b > 0, b, -100)),
}  # fmt: skip


def test_int8_uint8_int16_wrap_and_promote_as_torch():
    lowest = ints(-128, 127, torch.int8)
    lowest[5] = -128  # abs(-128) is -128 in int8
    args = [ints(-50, 50), lowest, ints(1, 255, torch.uint8), ints(-30000, 30000, torch.int16)]
    signature = "x: torch.Tensor, b: torch.Tensor, u: torch.Tensor, h: torch.Tensor"
    assert_each_as_torch(signature, NARROW, args)


FLOATS = {  # x, y: floats; h: multiples of 0.5
    "floordiv_number": ("h[tile] // 0.75", "x.dtype", lambda x, y, h: h // 0.75),
    "mod_negative_number": ("h[tile] % -0.75", "x.dtype", lambda x, y, h: h % -0.75),
    "remainder_number": ("torch.remainder(h[tile], 0.75)", "x.dtype", lambda x, y, h: torch.remainder(h, 0.75)),
    "fmod_number": ("torch.fmod(h[tile], 0.75)", "x.dtype", lambda x, y, h: torch.fmod(h, 0.75)),
    "round_half_to_even": ("torch.round(h[tile])", "x.dtype", lambda x, y, h: torch.round(h)),
    "trunc": ("torch.trunc(x[tile])", "x.dtype", lambda x, y, h: torch.trunc(x)),
    "floor_and_ceil": ("torch.floor(x[tile]) + torch.ceil(x[tile]) * 100", "x.dtype", lambda x, y, h: x.floor() + x.ceil() * 100),
    "sign_with_zeros": ("torch.sign(x[tile] * (x[tile] > 1))", "x.dtype", lambda x, y, h: torch.sign(x * (x > 1))),
    "frac": ("torch.frac(x[tile])", "x.dtype", lambda x, y, h: torch.frac(x)),
    "to_int32_of_negatives": ("x[tile].to(torch.int32)", "torch.int32", lambda x, y, h: x.float().int()),
    "long_of_negatives": ("x[tile].long()", I64, lambda x, y, h: x.float().long()),
    "to_int8_of_negatives": ("(x[tile] * 3).to(torch.int8)", "torch.int8", lambda x, y, h: (x.float() * 3).to(torch.int8)),
    "clamp_tensor_min": ("torch.clamp(x[tile], min=y[tile])", "x.dtype", lambda x, y, h: torch.clamp(x, min=y)),
    "clamp_tensor_bounds": ("torch.clamp(x[tile], y[tile], y[tile] + 1)", "x.dtype", lambda x, y, h: torch.clamp(x, y, y + 1)),
    "clamp_max_only": ("x[tile].clamp(max=0.5)", "x.dtype", lambda x, y, h: x.clamp(max=0.5)),
    "clamp_min_above_max": ("torch.clamp(x[tile], 1.0, -1.0)", "x.dtype", lambda x, y, h: torch.clamp(x, 1.0, -1.0)),
    "clamp_of_nan": ("torch.clamp(torch.log(x[tile]), -1.0, 1.0)", "x.dtype", lambda x, y, h: torch.clamp(torch.log(x), -1.0, 1.0)),
    "where_two_ints": ("torch.where(x[tile] > 0, 1, 0)", I64, lambda x, y, h: torch.where(x > 0, 1, 0)),
    "where_float_and_int": ("torch.where(x[tile] > 0, 1.0, 0)", F32, lambda x, y, h: torch.where(x > 0, 1.0, 0)),
    "where_bool_and_mask": ("torch.where(x[tile] > 0, True, x[tile] < -1)", BOOL, lambda x, y, h: torch.where(x > 0, True, x < -1)),
    "inverted_mask": ("~(x[tile] > 0)", BOOL, lambda x, y, h: ~(x > 0)),
    "xor_of_masks": ("(x[tile] > 0) ^ (y[tile] > 0)", BOOL, lambda x, y, h: (x > 0) ^ (y > 0)),
    "mask_plus_mask": ("(x[tile] > 0) + (y[tile] > 0)", BOOL, lambda x, y, h: (x > 0) + (y > 0)),
    "mask_times_float": ("(x[tile] > 0) * 2.5", F32, lambda x, y, h: (x > 0) * 2.5),
    "float_plus_mask": ("(x[tile] > 0).to(torch.float32) + (x[tile] > 1)", F32, lambda x, y, h: (x > 0).double() + (x > 1)),
    "two_to_the_float": ("2 ** x[tile]", "x.dtype", lambda x, y, h: 2**x),
    "abs_of_negated": ("torch.abs(-x[tile])", "x.dtype", lambda x, y, h: x.abs()),
    "minimum_with_nan": ("torch.minimum(torch.log(x[tile]), y[tile])", "x.dtype", lambda x, y, h: torch.minimum(torch.log(x), y)),
    "fmax_with_nan": ("torch.fmax(torch.log(x[tile]), y[tile])", "x.dtype", lambda x, y, h: torch.fmax(torch.log(x), y)),
    "logaddexp": ("torch.logaddexp(x[tile], y[tile])", "x.dtype", lambda x, y, h: torch.logaddexp(x, y)),
    "hypot": ("torch.hypot(x[tile], y[tile])", "x.dtype", lambda x, y, h: torch.hypot(x, y)),
    "atan2": ("torch.atan2(x[tile], y[tile])", "x.dtype", lambda x, y, h: torch.atan2(x, y)),
    "xlogy": ("torch.xlogy(x[tile], torch.abs(y[tile]))", "x.dtype", lambda x, y, h: torch.xlogy(x, y.abs())),
}  # fmt: skip


def test_float_rounding_casts_clamps_and_wheres_compute_as_torch():
    args = [floats(), floats(), halves()]
    assert_each_as_torch("x: torch.Tensor, y: torch.Tensor, h: torch.Tensor", FLOATS, args)


SCALARS = {  # x: int32, f: float32, and an int, a float and a bool argument
    "int_floordiv_argument": ("x[tile] // n", "x.dtype", lambda x, f, n, s, flag: x // n),
    "int_mod_argument": ("x[tile] % n", "x.dtype", lambda x, f, n, s, flag: x % n),
    "float_mod_argument": ("f[tile] % s", "f.dtype", lambda x, f, n, s, flag: f % s),
    "int_times_float_argument": ("x[tile] * s", F32, lambda x, f, n, s, flag: x * s),
    "float_times_bool_argument": ("f[tile] * flag", "f.dtype", lambda x, f, n, s, flag: f * flag),
    "int_plus_bool_argument": ("x[tile] + flag", "x.dtype", lambda x, f, n, s, flag: x + flag),
    "argument_true_divided": ("f[tile] + n / 2", "f.dtype", lambda x, f, n, s, flag: f + n / 2),
    "argument_floor_divided": ("f[tile] + n // 2", "f.dtype", lambda x, f, n, s, flag: f + n // 2),
    "argument_mod": ("f[tile] + n % 4", "f.dtype", lambda x, f, n, s, flag: f + n % 4),
    "float_argument_floor_divided": ("f[tile] + s // 1", "f.dtype", lambda x, f, n, s, flag: f + s // 1),
    "two_to_the_argument": ("f[tile] * 2.0 ** n", "f.dtype", lambda x, f, n, s, flag: f * 2.0**n),
    "abs_of_argument": ("x[tile] + abs(n)", "x.dtype", lambda x, f, n, s, flag: x + abs(n)),
    "min_max_of_argument": ("x[tile] + min(n, 3) * max(n, -20)", "x.dtype", lambda x, f, n, s, flag: x + min(n, 3) * max(n, -20)),
    "if_on_bool_argument": ("f[tile] * 2 if flag else -f[tile]", "f.dtype", lambda x, f, n, s, flag: f * 2 if flag else -f),
}  # fmt: skip


@pytest.mark.parametrize(("n", "s", "flag"), [(-7, -1.25, True), (6, 0.75, False)])
def test_int_float_and_bool_arguments_in_arithmetic_compute_as_torch(n, s, flag):
    args = [ints(-50, 50), floats(), n, s, flag]
    signature = "x: torch.Tensor, f: torch.Tensor, n: int, s: float, flag: bool"
    assert_each_as_torch(signature, SCALARS, args)
