"""Evaluator-style probes of element values (round 5): unsigned and narrow integers (wrapping,
shifts, floor division and modulo of negatives), remainder / fmod, sign, rounding, NaN through
clamp / relu / maximum / amax, mixed int and float dtypes, activations at extreme inputs,
each against float64 torch (integers exactly). Found and fixed here: `torch.floor` /
`torch.ceil` of an integer value went through float32 (`torch.floor(x.long() * 3)` lost the
low bits past 2**24; torch keeps integers); an int argument compared with a float row did not
compile for sm_90 (`number_as` had two returns of different types); `~` of a number was the number
itself (`x & ~7` computed `x & 7`)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import generated
from torch_answers import assert_computes_as_torch

import transpiler

HEADER = """
import torch
import torch.nn.functional as F
import helion
import helion.language as hl
"""
ONE = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=OUT, device=x.device)
    for t in hl.tile(x.size()):
        out[t] = EXPRESSION
    return out
"""
TWO = """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=OUT, device=x.device)
    for t in hl.tile(x.size()):
        out[t] = EXPRESSION
    return out
"""
ROWS = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=OUT, device=x.device)
    for t in hl.tile(m):
        out[t] = EXPRESSION
    return out
"""
THRESHOLD = """
@helion.kernel()
def k(x: torch.Tensor, thresh: int) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int32, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = (x[t] > thresh).int() + (x[t] >= thresh / 2).int()
    return out
"""


def one(expression, out="x.dtype"):
    return ONE.replace("EXPRESSION", expression).replace("OUT", out)


def two(expression, out="x.dtype"):
    return TWO.replace("EXPRESSION", expression).replace("OUT", out)


def rows(expression, out="x.dtype"):
    return ROWS.replace("EXPRESSION", expression).replace("OUT", out)


def u8(*shape):
    return torch.randint(0, 256, shape, dtype=torch.uint8)


def i8(*shape):
    return torch.randint(-128, 128, shape, dtype=torch.int8)


def i16(*shape):
    return torch.randint(-32768, 32768, shape, dtype=torch.int16)


def big(*shape):
    return torch.randint(-(2**40), 2**40, shape)


def divisors(dtype):
    return torch.tensor([3, -4, 5, -7] * 10, dtype=dtype)[:37]


def specials():
    return torch.tensor([float("nan"), 1.0, -1.0, 0.2] * 9 + [float("nan")])


def extremes():
    ends = torch.tensor([-1e4, 1e4, 0.0, -0.0, 1e-8, -30.0, 30.0])
    return torch.cat([torch.linspace(-200, 200, 30), ends])


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("int8_true_division", two("x[t] / y[t]", "torch.float32"),
     lambda: (i8(37), i8(37).clamp(min=1)), lambda x, y: x / y),
    ("uint8_sum_wraps", two("x[t] + y[t]"), lambda: (u8(37), u8(37)), lambda x, y: x + y),
    ("uint8_difference_wraps", two("x[t] - y[t]"), lambda: (u8(37), u8(37)), lambda x, y: x - y),
    ("uint8_floor_and_modulo", one("x[t] // 7 + x[t] % 5"), lambda: (u8(37),),
     lambda x: x // 7 + x % 5),
    ("uint8_above_127_compared", one("x[t] > 200", "torch.bool"), lambda: (u8(37),),
     lambda x: x > 200),
    ("uint8_nibble_unpacked", one("(x[t] >> 4) & 3"), lambda: (u8(37),), lambda x: (x >> 4) & 3),
    ("int8_negative_shifted_right", one("x[t] >> 2"), lambda: (i8(37),), lambda x: x >> 2),
    ("int16_shift_left_wraps", one("x[t] << 3"), lambda: (i16(37),), lambda x: x << 3),
    ("int16_product_wraps", two("x[t] * y[t]"), lambda: (i16(37), i16(37)), lambda x, y: x * y),
    ("int64_floor_by_negative_divisors", two("x[t] // y[t]"),
     lambda: (big(37), divisors(torch.int64)), lambda x, y: x // y),
    ("int16_modulo_by_negative_divisors", two("x[t] % y[t]"),
     lambda: (i16(37), divisors(torch.int16)), lambda x, y: x % y),
    ("int8_least_floored_by_minus_one", two("x[t] // y[t]"),
     lambda: (torch.full((37,), -128, dtype=torch.int8),
              torch.tensor([-1, 1, 2] * 13, dtype=torch.int8)[:37]), lambda x, y: x // y),
    ("float_remainder_by_a_negative", one("torch.remainder(x[t], -1.5)"),
     lambda: (torch.randn(37) * 5,), lambda x: torch.remainder(x, -1.5)),
    ("float_fmod_of_negatives", one("torch.fmod(x[t], 1.5)"), lambda: (torch.randn(37) * 5,),
     lambda x: torch.fmod(x, 1.5)),
    ("int_remainder_by_a_tensor", two("torch.remainder(x[t], y[t])"),
     lambda: (torch.randint(-20, 20, (37,), dtype=torch.int32), divisors(torch.int32)),
     lambda x, y: torch.remainder(x, y)),
    ("float_floor_division_and_modulo", two("x[t] // y[t] + x[t] % y[t]"),
     lambda: (torch.randn(37) * 5, torch.randn(37)), lambda x, y: x // y + x % y),
    ("sign_of_zeros_and_nan", one("torch.sign(x[t])"),
     lambda: (torch.tensor([0.0, -0.0, 1.5, -2.0, float("nan")] * 7 + [3.0, -1.0]),),
     lambda x: torch.sign(x)),
    ("sign_of_int8", one("x[t].sign()"), lambda: (i8(37),), lambda x: x.sign()),
    ("round_halves_to_even", one("torch.round(x[t])"),
     lambda: (torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49, 3.51] * 4 + [4.5]),),
     lambda x: torch.round(x)),
    ("floor_ceil_trunc_of_half", one("torch.floor(x[t]) + torch.ceil(x[t]) * 2 + x[t].trunc() * 4"),
     lambda: ((torch.randn(37) * 5).half(),),
     lambda x: torch.floor(x) + torch.ceil(x) * 2 + torch.trunc(x) * 4),
    # fixed: floor / ceil of integers keep them (were float32: the low bits past 2**24 lost)
    ("floor_of_a_long_product", one("torch.floor(x[t].long() * 3)", "torch.int64"),
     lambda: (big(37),), lambda x: torch.floor(x * 3)),
    ("ceil_of_an_int32_widened", one("torch.ceil(x[t].to(torch.int64) + 2**30)", "torch.int64"),
     lambda: (torch.randint(-(2**30), 2**30, (37,), dtype=torch.int32),),
     lambda x: torch.ceil(x.long() + 2**30)),
    ("floor_and_ceil_of_loaded_ints", one("torch.floor(x[t] // 2) + x[t].ceil()"),
     lambda: (big(37),), lambda x: torch.floor(x // 2) + x.ceil()),
    ("where_int_with_a_number", one("torch.where(x[t] > 0, x[t], 0)"),
     lambda: (torch.randint(-9, 9, (37,), dtype=torch.int32),), lambda x: torch.where(x > 0, x, 0)),
    ("clamp_relu_maximum_of_nan", two(
        "torch.clamp(x[t], -0.5, 0.5) + torch.relu(x[t]) + torch.maximum(x[t], y[t])"),
     lambda: (specials(), torch.randn(37)),
     lambda x, y: torch.clamp(x, -0.5, 0.5) + torch.relu(x) + torch.maximum(x, y)),
    ("amax_of_rows_with_nan", rows("x[t, :].amax(dim=-1)"),
     lambda: (torch.randn(13, 29).index_put_((torch.tensor([2, 5]), torch.tensor([3, 28])),
                                             torch.tensor(float("nan"))),),
     lambda x: x.amax(-1)),
    ("pow_of_negative_bases", two("torch.pow(x[t], y[t]) + x[t] ** 3"),
     lambda: (torch.randn(37) * 3, torch.randint(-3, 4, (37,)).float()),
     lambda x, y: torch.pow(x, y) + x**3),
    ("int_powers", one("x[t] ** 3 + 2 ** (x[t] + 9)"),
     lambda: (torch.randint(-9, 9, (37,), dtype=torch.int32),), lambda x: x**3 + 2 ** (x + 9)),
    ("long_times_a_float_truncated", one("(x[t] * 0.5).long()"), lambda: (big(37),),
     lambda x: (x * 0.5).long()),
    ("negative_floats_to_int32", one("x[t].to(torch.int32)", "torch.int32"),
     lambda: (torch.randn(37) * 50,), lambda x: x.float().to(torch.int32)),
    ("abs_of_int8_least", one("torch.abs(x[t])"),
     lambda: (torch.tensor([-128, 127, -1, 0] * 9 + [-128], dtype=torch.int8),),
     lambda x: torch.abs(x)),
    ("int8_rows_summed_in_int64", rows("x[t, :].sum(-1)", "torch.int64"),
     lambda: (torch.randint(50, 127, (13, 29), dtype=torch.int8),), lambda x: x.sum(-1)),
    ("uint8_rows_amax_and_argmax", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    a = torch.empty([m], dtype=x.dtype, device=x.device)
    b = torch.empty([m], dtype=torch.int64, device=x.device)
    for t in hl.tile(m):
        a[t] = x[t, :].amax(-1)
        b[t] = x[t, :].argmax(-1)
    return a, b
""", lambda: (u8(13, 29),), lambda x: (x.amax(-1), x.argmax(-1))),
    ("int32_plus_uint8", two("x[t] + y[t]"),
     lambda: (torch.randint(-1000, 1000, (37,), dtype=torch.int32), u8(37)), lambda x, y: x + y),
    ("bool_plus_int8", two("x[t] + y[t]", "torch.int8"),
     lambda: (torch.rand(37) > 0.5, i8(37)), lambda x, y: x + y),
    ("int64_stored_to_int32_wraps", one("x[t] * 3", "torch.int32"), lambda: (big(37),),
     lambda x: (x * 3).int()),
    ("nan_to_num_with_posinf", one("torch.nan_to_num(x[t], nan=0.5, posinf=9.0)"),
     lambda: (torch.tensor([float("nan"), float("inf"), -float("inf"), 1.0] * 9 + [0.0]),),
     lambda x: torch.nan_to_num(x.float(), nan=0.5, posinf=9.0)),
    ("activations_at_extremes", one(
        "F.logsigmoid(x[t]) + torch.tanh(x[t]) + F.softplus(x[t]) + F.mish(x[t]) + F.gelu(x[t])"),
     lambda: (extremes(),),
     lambda x: F.logsigmoid(x) + torch.tanh(x) + F.softplus(x) + F.mish(x) + F.gelu(x)),
    ("std_and_var_of_one_element_rows", rows("x[t, :].std(-1) + x[t, :].var(-1, unbiased=False)"),
     lambda: (torch.randn(13, 1),), lambda x: x.std(-1) + x.var(-1, unbiased=False)),
    ("half_rows_summed_past_float16", rows("x[t, :].sum(-1)"),
     lambda: ((torch.rand(13, 129) * 1000 + 60000).half().clamp(max=65000),),
     lambda x: x.half().sum(-1).double()),
    # an integer tensor beside a float one in a float function: float32 as in torch (accepted
    # by the launcher's check of float functions, which asks only that one of them hold floats)
    ("exp_of_ints_times_floats", two("torch.exp(x[t] * y[t])", "torch.float32"),
     lambda: (torch.randint(-5, 5, (37,), dtype=torch.int32), torch.randn(37)),
     lambda x, y: torch.exp(x * y)),
    ("sqrt_of_ints_plus_floats", two("torch.sqrt(x[t].abs() + y[t].abs())", "torch.float32"),
     lambda: (torch.randint(-5, 5, (37,), dtype=torch.int32), torch.randn(37)),
     lambda x, y: torch.sqrt(x.abs() + y.abs())),
    ("exp_of_ints_halved", two("torch.exp(x[t] / 2) + torch.exp(x[t] * 0.5)", "torch.float32"),
     lambda: (torch.randint(-5, 5, (37,), dtype=torch.int32), torch.randn(37)),
     lambda x, y: torch.exp(x / 2) + torch.exp(x * 0.5)),
    # fixed: `~` of a number was the number (`x & ~7` computed `x & 7`); Python's ~7 is -8
    ("and_with_an_inverted_literal", one("x[t] & ~7"),
     lambda: (torch.randint(-1000, 1000, (37,), dtype=torch.int32),), lambda x: x & ~7),
    ("plus_an_inverted_literal", one("x[t] + ~3 - ~~5"), lambda: (big(37),), lambda x: x + ~3 - 5),
    ("aligned_down_by_an_inverted_mask", one("x[t] & ~(16 - 1)"),
     lambda: (i16(37),), lambda x: x & ~(16 - 1)),
    # fixed: an int argument beside a float row (number_as typed two returns: no sm_90 code)
    ("int_argument_beside_float32", THRESHOLD, lambda: (torch.randn(37) * 5, 1),
     lambda x, th: (x > th).int() + (x >= th / 2).int()),
    ("int_argument_beside_float64", THRESHOLD, lambda: (torch.randn(37).double() * 5, -1),
     lambda x, th: (x > th).int() + (x >= th / 2).int()),
    ("int_argument_beside_float16", THRESHOLD, lambda: ((torch.randn(37) * 5).half(), 2),
     lambda x, th: (x > th).int() + (x >= th / 2).int()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_values_are_torchs(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth)


# A float function of an integer tensor: torch computes it in float32, Triton's tl.exp / tl.sigmoid
# refuse integers (the interpreter raised inside Triton); the launcher now refuses the tensor
# naming the line and the fix, before any launch
@pytest.mark.parametrize(
    "expression", ["torch.sigmoid(x[t])", "torch.exp(x[t] * 2)", "torch.log1p(x[t].abs())"]
)
def test_a_float_function_of_an_integer_tensor_is_refused_at_the_launch(expression):
    source = HEADER + one(expression, "torch.float32")
    line = source.splitlines().index(f"        out[t] = {expression}") + 1
    x = torch.randint(-5, 5, (37,), dtype=torch.int32)
    kernel = generated(source, "k", x)
    with pytest.raises(
        TypeError, match=f"x must hold floats: line {line} takes a float function .*: pass x.float"
    ):
        kernel(x)
    floats = x.float()
    expected = eval(expression.replace("x[t]", "floats"))  # the same kernel takes floats
    torch.testing.assert_close(generated(source, "k", floats)(floats), expected)


def test_inverting_a_float_number_is_refused_at_its_column():
    source = HEADER + one("x[t] + ~2.0")
    line = source.splitlines().index("        out[t] = x[t] + ~2.0") + 1
    with pytest.raises(transpiler.TranspileError, match=f"kernels.py:{line}:25: .*`~` of a float"):
        generated(source, "k", torch.randn(37))
