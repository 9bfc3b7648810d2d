"""User-style probes of values at their corners, element-wise and along rows, against torch
eager: tensor bounds for clamp, lerp / addcmul / addcdiv weights, round half to even, the sign
of -0.0 and NaN, fmod against % of negatives, log1p / expm1 of tiny values, NaN through max /
amax / amin / maximum / fmax (torch keeps it: tl.max dropped it until 2026-12-05), softmax and
logsumexp of rows of -inf (logsumexp gave NaN, torch -inf), torch.where's dtype with a number,
abs of int8's -128 then max, any / all, sums of half into float32, var's corrections, std of one
element (NaN), casts of NaN to bool and of floats past int8."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

HEADER = """
import helion
import helion.language as hl
import torch
"""
ELEMENTWISE = (
    HEADER
    + """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=OUT, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = EXPRESSION
    return out
"""
)
ROWS = (
    HEADER
    + """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=OUT, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = EXPRESSION
    return out
"""
)
NAN, INF = float("nan"), float("inf")


def repeat(values: list[float], times: int = 5, dtype=torch.float32) -> torch.Tensor:
    """Corner values repeated to an odd length past one block (tiles end partly full)."""
    return torch.tensor(values * times + values[:1], dtype=dtype)


def _x():
    return torch.randn(37)


def _signs():
    return repeat([-0.0, 0.0, NAN, -3.0, 2.0, -INF, INF])


def _halves():
    return repeat([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.49999997, 4.5])


def _negatives():
    return repeat([-3.5, 3.5, -7.25, 7.25, -0.5, 5.0])


def _divisors():
    return repeat([2.0, -2.0, 3.0, -3.0, 2.0, -2.5])


def _tiny():
    return repeat([1e-10, -1e-10, 1e-7, 3e-8, -2e-9, 1e-20])


# (name, expression of x, y, z, x, y, z, the result dtype (source text), compared exactly)
ELEMENTS = [
    ("clamp_tensor_bounds", "torch.clamp(x[tile], min=y[tile], max=z[tile])",
     _x, lambda: torch.randn(37) - 0.5, lambda: torch.randn(37) + 0.5, "x.dtype", True),
    ("clamp_low_above_high", "torch.clamp(x[tile], min=z[tile], max=y[tile])",
     _x, lambda: torch.randn(37) - 2, lambda: torch.randn(37) + 2, "x.dtype", True),
    ("lerp_tensor_weight", "torch.lerp(x[tile], y[tile], z[tile])",
     _x, _x, lambda: torch.rand(37), "x.dtype", False),
    ("addcmul_value", "torch.addcmul(x[tile], y[tile], z[tile], value=0.5)",
     _x, _x, _x, "x.dtype", False),
    ("addcdiv_value", "torch.addcdiv(x[tile], y[tile], z[tile], value=-2)",
     _x, _x, lambda: torch.rand(37) + 1, "x.dtype", False),
    ("round_half_to_even", "torch.round(x[tile])", _halves, _x, _x, "x.dtype", True),
    ("sign_of_zeros_and_nan", "torch.sign(x[tile])", _signs, _x, _x, "x.dtype", True),
    ("signbit", "torch.signbit(x[tile])", _signs, _x, _x, "torch.bool", True),
    ("fmod_of_negatives", "torch.fmod(x[tile], y[tile])", _negatives, _divisors, _x, "x.dtype", True),
    ("mod_of_negatives", "x[tile] % y[tile]", _negatives, _divisors, _x, "x.dtype", True),
    ("floordiv_of_negatives", "x[tile] // y[tile]", _negatives, _divisors, _x, "x.dtype", True),
    ("maximum_of_nan", "torch.maximum(x[tile], y[tile])",
     lambda: repeat([NAN, 1.0, 2.0]), lambda: repeat([1.0, NAN, 0.0]), _x, "x.dtype", True),
    ("fmax_of_nan", "torch.fmax(x[tile], y[tile])",
     lambda: repeat([NAN, 1.0, NAN]), lambda: repeat([1.0, NAN, NAN]), _x, "x.dtype", True),
    ("where_int_with_zero", "torch.where(x[tile] > 0, x[tile], 0)",
     lambda: torch.randint(-5, 5, (37,), dtype=torch.int32), _x, _x, "x.dtype", True),
    ("where_half_with_half", "torch.where(x[tile] > 0, x[tile], 0.5)",
     lambda: torch.randn(37).half(), _x, _x, "torch.float16", True),
    ("nan_to_bool", "x[tile].to(torch.bool)", _signs, _x, _x, "torch.bool", True),
    ("nan_to_num", "torch.nan_to_num(x[tile])", _signs, _x, _x, "x.dtype", True),
    ("trunc_keeps_negative_zero", "torch.trunc(x[tile]) * 2", _negatives, _x, _x, "x.dtype", True),
    ("sigmoid_extremes", "torch.sigmoid(x[tile])",
     lambda: repeat([-1000.0, 1000.0, -88.0, 88.0, 0.0]), _x, _x, "x.dtype", False),
    ("rsqrt_of_zeros", "torch.rsqrt(x[tile])", lambda: repeat([0.0, -0.0, 4.0, -1.0]), _x, _x,
     "x.dtype", True),
    ("true_division_of_ints", "x[tile] / y[tile]",
     lambda: torch.randint(-9, 9, (37,), dtype=torch.int32),
     lambda: torch.randint(1, 5, (37,), dtype=torch.int32), _x, "torch.float32", False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("expression", "make_x", "make_y", "make_z", "out", "exact"),
    [pytest.param(*row[1:], id=row[0]) for row in ELEMENTS],
)
def test_element_wise_corners_match_torch(expression, make_x, make_y, make_z, out, exact):
    x, y, z = make_x(), make_y(), make_z()
    source = ELEMENTWISE.replace("EXPRESSION", expression).replace("OUT", out)
    got = generated(source, "k", x, y, z)(x, y, z)
    tile = slice(None)  # noqa: F841 - the expression's index
    expected = eval(expression, {"torch": torch, "x": x, "y": y, "z": z, "tile": tile})
    expected = expected.to(eval(out, {"torch": torch, "x": x}))
    assert got.dtype == expected.dtype
    if exact:
        same = got == expected
        if got.is_floating_point():  # the sign of zero too (-0.5 rounds to -0.0)
            assert torch.equal(torch.signbit(got[same]), torch.signbit(expected[same]))
            same |= got.isnan() & expected.isnan()
        assert bool(same.all()), (got, expected)
    else:
        torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("name", ["log1p", "expm1"])
def test_log1p_and_expm1_of_tiny_values_keep_their_digits(name):
    x = _tiny()
    source = ELEMENTWISE.replace("EXPRESSION", f"torch.{name}(x[tile])").replace("OUT", "x.dtype")
    got = generated(source, "k", x, x, x)(x, x, x)
    truth = getattr(torch, name)(x.double())
    torch.testing.assert_close(got.double(), truth, rtol=1e-6, atol=0)


def _with_nans() -> torch.Tensor:
    x = torch.randn(5, 9)
    x[1, 3] = NAN
    x[3, 0] = NAN
    return x


def _minus_inf_rows() -> torch.Tensor:
    x = torch.randn(4, 7)
    x[1] = -INF
    x[2, :3] = -INF
    return x


# (name, row expression, input, out dtype (source text))
ALONG_ROWS = [
    ("amax_keeps_nan", "x[tile_m, :].amax(dim=1)", _with_nans, "x.dtype"),
    ("max_dim_keeps_nan", "torch.max(x[tile_m, :], dim=1).values", _with_nans, "x.dtype"),
    ("amin_keeps_nan", "torch.amin(x[tile_m, :], dim=-1)", _with_nans, "x.dtype"),
    ("sum_keeps_nan", "x[tile_m, :].sum(dim=1)", _with_nans, "x.dtype"),
    ("logsumexp_of_minus_inf", "torch.logsumexp(x[tile_m, :], dim=1)", _minus_inf_rows, "x.dtype"),
    ("softmax_of_minus_inf", "torch.softmax(x[tile_m, :], dim=1)[:, 0]", _minus_inf_rows, "x.dtype"),
    ("abs_max_of_int8", "x[tile_m, :].abs().amax(dim=1)",
     lambda: torch.tensor([[-128, 127, -5], [3, -128, 0], [1, 2, -3]], dtype=torch.int8), "x.dtype"),
    ("any_of_floats", "x[tile_m, :].any(dim=1)",
     lambda: torch.tensor([[0.0, -0.0], [0.0, NAN], [0.0, 1e-30]]), "torch.bool"),
    ("all_of_a_comparison", "(x[tile_m, :] > -1.5).all(dim=-1)", lambda: torch.randn(7, 5), "torch.bool"),
    ("half_summed_in_float32", "x[tile_m, :].sum(dim=1, dtype=torch.float32)",
     lambda: (torch.randn(5, 301) * 100).half(), "torch.float32"),
    ("var_unbiased_false", "x[tile_m, :].var(dim=1, unbiased=False)", lambda: torch.randn(6, 11), "x.dtype"),
    ("var_correction_2", "torch.var(x[tile_m, :], dim=1, correction=2)", lambda: torch.randn(6, 11), "x.dtype"),
    ("std_of_one_element", "x[tile_m, :].std(dim=1)", lambda: torch.randn(6, 1), "x.dtype"),
    ("std_of_one_element_uncorrected", "x[tile_m, :].std(dim=1, correction=0)",
     lambda: torch.randn(6, 1), "x.dtype"),
    ("prod_of_negatives", "x[tile_m, :].prod(dim=1)", lambda: torch.randn(5, 7), "x.dtype"),
    ("count_nonzero_of_nan", "torch.count_nonzero(x[tile_m, :], dim=1)",
     lambda: torch.tensor([[0.0, -0.0, NAN], [1.0, 0.0, 2.0]]), "torch.int64"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("expression", "make", "out"), [pytest.param(*row[1:], id=row[0]) for row in ALONG_ROWS]
)
def test_reductions_along_rows_match_torch(expression, make, out):
    """amax / max / amin of rows holding NaN, and logsumexp of a row of -inf, were silently
    wrong before 2026-12-05 (the maximum without the NaN; NaN for -inf)."""
    x = make()
    if "softmax" in expression:  # a block indexed in the kernel is refused: store the row
        source = ROWS.replace("out = torch.empty([m]", "out = torch.empty([m, n]")
        source = source.replace("out[tile_m] = EXPRESSION", "out[tile_m, :] = EXPRESSION")
        expression = expression.removesuffix("[:, 0]")
    else:
        source = ROWS
    source = source.replace("EXPRESSION", expression).replace("OUT", out)
    got = generated(source, "k", x)(x)
    expected = eval(expression, {"torch": torch, "x": x, "tile_m": slice(None)})
    expected = expected.to(eval(out, {"torch": torch, "x": x}))
    assert got.dtype == expected.dtype
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_a_whole_tensor_max_keeps_nan():
    source = (
        HEADER
        + """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([1], dtype=x.dtype, device=x.device)
    for _ in hl.grid(1):
        out[0] = torch.amax(x[:, :]) - x[:, :].min()
    return out
"""
    )
    x = torch.randn(6, 7)
    assert torch.equal(generated(source, "k", x)(x), (x.amax() - x.min()).reshape(1))
    x[4, 5] = NAN
    assert generated(source, "k", x)(x).isnan().all()
