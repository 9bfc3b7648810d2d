"""torch functions lowered through op-table rows since 2026-12 (refused with a hint before):
torch.true_divide (and Tensor.true_divide), torch.rsub (no Tensor.rsub in torch),
torch.bitwise_left_shift / bitwise_right_shift (and their methods: torch's answers past the
width and for negative amounts), torch.nanmean (the numbers' mean, NaN where a row has none).
Each against torch in float64 where floating, on fresh inputs of both signs: 1-D (301), 2-D
tiles with a scalar argument, rows inside a reduction; floats under `&` / shifts refused (torch
refuses them: Triton failed inside its compiler)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, device_args, generated
from probe_kernels import kernel, one_loop
from torch_answers import assert_computes_as_torch, assert_refused_at

import transpiler

N = 301


def values(dtype, *shape, low=-100, high=100):
    if dtype.is_floating_point:
        return (torch.randn(*shape, device=DEVICE) * 20).to(dtype)
    return torch.randint(0 if dtype == torch.uint8 else low, high, shape, device=DEVICE).to(dtype)


def nonzero(dtype, *shape):
    found = values(dtype, *shape, low=-9, high=9)
    return torch.where(found == 0, torch.ones_like(found) * 3, found)


def shifts(dtype, *shape):
    low = 0 if dtype == torch.uint8 else -3
    return torch.randint(low, 70, shape, device=DEVICE).to(dtype)


def with_nans(*shape, dtype=torch.float32):
    x = values(torch.float32, *shape)
    x[torch.rand(*shape, device=DEVICE) < 0.3] = float("nan")
    x[3] = float("nan")  # a row (or an element) of NaNs only
    return x.to(dtype)


TWO = "x: torch.Tensor, y: torch.Tensor"
# name → (expression of x[tile] and y[tile], makers of x and y by dtype, dtypes, torch's answer)
ELEMENTWISE = {
    "true_divide": (
        "torch.true_divide(x[tile], y[tile])",
        (values, nonzero),
        (torch.int32, torch.int64, torch.float32, torch.float64),
        lambda x, y: torch.true_divide(x, y),
    ),
    "true_divide_method_by_an_int": (
        "x[tile].true_divide(-3)",
        (values, nonzero),
        (torch.int8, torch.int32, torch.float32),
        lambda x, y: x.true_divide(-3),
    ),
    "rsub": (
        "torch.rsub(x[tile], y[tile])",
        (values, values),
        (torch.int8, torch.int32, torch.int64, torch.float32),
        lambda x, y: torch.rsub(x, y),
    ),
    "rsub_of_a_number": (
        "torch.rsub(x[tile], 2) * y[tile]",
        (values, values),
        (torch.int16, torch.int64, torch.float32),
        lambda x, y: torch.rsub(x, 2) * y,
    ),
    "left_shift": (
        "torch.bitwise_left_shift(x[tile], y[tile])",
        (values, shifts),
        (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64),
        lambda x, y: torch.bitwise_left_shift(x, y),
    ),
    "right_shift": (
        "torch.bitwise_right_shift(x[tile], y[tile])",
        (values, shifts),
        (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64),
        lambda x, y: torch.bitwise_right_shift(x, y),
    ),
    "shift_methods_by_numbers": (
        "x[tile].bitwise_left_shift(3) + y[tile].bitwise_right_shift(9)",
        (values, values),
        (torch.int16, torch.int32, torch.int64),
        lambda x, y: x.bitwise_left_shift(3) + y.bitwise_right_shift(9),
    ),
    "shift_operators": (
        "(x[tile] << y[tile]) ^ (x[tile] >> (y[tile] - 40))",
        (values, shifts),
        (torch.int8, torch.int32, torch.int64),
        lambda x, y: (x << y) ^ (x >> (y - 40)),
    ),
}
CASES = [(name, dtype) for name, row in ELEMENTWISE.items() for dtype in row[2]]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{n}-{str(d).removeprefix('torch.')}" for n, d in CASES]
)
def test_an_elementwise_row_computes_as_torch(case):
    name, dtype = case
    expression, (first, second), _, truth = ELEMENTWISE[name]
    out = "torch.empty_like(x, dtype=torch.float64)" if "divide" in name else "torch.empty_like(x)"
    assert_computes_as_torch(
        kernel(TWO, one_loop(expression, out=out)),
        lambda: [first(dtype, N), second(dtype, N)],
        truth,
    )


def test_true_divide_of_ints_by_a_float_tensor_computes_as_torch():
    """int32 / float32: torch's float32 quotient (a third dtype pairing, mixed kinds)."""
    assert_computes_as_torch(
        kernel(TWO, one_loop("torch.true_divide(x[tile], y[tile])", out="y.new_empty(y.shape)")),
        lambda: [values(torch.int32, N), nonzero(torch.float32, N)],
        lambda x, y: torch.true_divide(x, y),
    )


TWO_D = """    m, n = x.size()
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = EXPRESSION
    return out
"""
SCALAR = {
    "rsub": ("torch.rsub(x[tm, tn], s)", lambda x, s: torch.rsub(x, s)),
    "left_shift": ("torch.bitwise_left_shift(x[tm, tn], s)", lambda x, s: x << s),
    "right_shift": ("x[tm, tn].bitwise_right_shift(s)", lambda x, s: x >> s),
}


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
@pytest.mark.parametrize("name", SCALAR)
def test_a_row_with_an_int_argument_on_2d_tiles_computes_as_torch(name, dtype):
    expression, truth = SCALAR[name]
    source = kernel("x: torch.Tensor, s: int", TWO_D.replace("EXPRESSION", expression))
    for number in (-5, 3, 31, 32, 63, 64, 100):
        x = values(dtype, 37, 129)
        got = generated(source, "k", x, number)(x, number)
        assert torch.equal(got.cpu(), truth(x.cpu(), number)), number


def test_true_divide_by_a_float_argument_on_2d_tiles_computes_as_torch():
    expression = "torch.true_divide(x[tm, tn], s)"
    source = kernel("x: torch.Tensor, s: float", TWO_D.replace("EXPRESSION", expression))
    for number in (-2.5, 0.75):
        x = values(torch.float32, 37, 129)
        got = generated(source, "k", x, number)(x, number)
        torch.testing.assert_close(got.double().cpu(), x.double().cpu() / number)


ROWS = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = EXPRESSION
    return out
"""
NANMEANS = {
    "centred": (
        "x[tile, :] - torch.nanmean(x[tile, :], -1, keepdim=True)",
        lambda x: x - torch.nanmean(x, -1, keepdim=True),
    ),
    "method_dim_0_of_a_transpose": (
        "(x[tile, :].T.nanmean(0) * 2)[:, None] + x[tile, :] * 0",
        lambda x: (x.T.nanmean(0) * 2)[:, None] + x * 0,
    ),
    "with_a_scalar": (
        "torch.where(x[tile, :] != x[tile, :], x[tile, :].nanmean(dim=1, keepdim=True) * s, "
        "x[tile, :])",
        lambda x: torch.where(x != x, x.nanmean(dim=1, keepdim=True) * 0.5, x),
    ),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("name", NANMEANS)
def test_nanmean_along_rows_computes_as_torch(name, dtype):
    expression, truth = NANMEANS[name]
    scalar = "with_a_scalar" in name
    signature = "x: torch.Tensor, s: float" if scalar else "x: torch.Tensor"
    source = kernel(signature, ROWS.replace("EXPRESSION", expression))
    make = (
        (lambda: [with_nans(37, 129, dtype=dtype), 0.5])
        if scalar
        else (lambda: [with_nans(37, 129, dtype=dtype)])
    )
    assert_computes_as_torch(source, make, (lambda x, s: truth(x)) if scalar else truth)


def test_nanmean_of_integers_is_refused_as_torch_refuses_it():
    source = kernel("x: torch.Tensor", ROWS.replace("EXPRESSION", "x[tile, :] * 0 + torch.nanmean(x[tile, :], -1, keepdim=True)"))  # fmt: skip
    x = values(torch.int32, 37, 129)
    with pytest.raises(TypeError, match="takes floats"):
        generated(source, "k", x)(x)
    with pytest.raises(RuntimeError):
        torch.nanmean(x)


def test_rsub_s_alpha_is_refused_at_its_keyword():
    source = kernel(TWO, one_loop("torch.rsub(x[tile], y[tile], alpha=2)"))
    assert_refused_at(source, 11, "alpha", "alpha", "other - alpha * x")


FLOATS_REFUSED = {
    "shift": "x[tile] << 2",
    "and": "x[tile] & y[tile]",
    "invert": "~x[tile]",
    "left_shift_call": "torch.bitwise_left_shift(x[tile], y[tile])",
}


@pytest.mark.parametrize("case", FLOATS_REFUSED)
def test_bits_of_floats_are_refused_at_the_launch(case):
    """torch refuses `&`, `~` and shifts of floats; Triton failed inside its compiler (an
    InterpreterError on the CPU): the launcher names the line."""
    source = kernel(TWO, one_loop(FLOATS_REFUSED[case]))
    x, y = values(torch.float32, N), values(torch.float32, N)
    with pytest.raises(TypeError, match="must hold integers"):
        generated(source, "k", x, y)(x, y)
    ints = values(torch.int32, N), shifts(torch.int32, N)
    assert_computes_as_torch(
        source,
        lambda: list(ints),
        lambda x, y: eval(FLOATS_REFUSED[case].replace("[tile]", "")),  # noqa: S307
    )


def test_a_shift_by_a_float_literal_is_refused_at_its_line():
    assert_refused_at(kernel(TWO, one_loop("x[tile] << 2.0")), 11, "x[tile] << 2.0", "of a float")


NEGATIVE_ZEROS = {
    "where": (
        "torch.where(x[tile] > 0, x[tile], -0.0)",
        lambda x: torch.where(x > 0, x, -0.0),
    ),
    "times": ("x[tile] * -0.0", lambda x: x * -0.0),
    "plus_positive_zero": ("x[tile] * 0 + -0.0", lambda x: x * 0 + -0.0),  # +0.0, as IEEE
    "masked_fill": (
        "x[tile].masked_fill(x[tile] < 0, -0.0)",
        lambda x: x.masked_fill(x < 0, -0.0),
    ),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
@pytest.mark.parametrize("case", NEGATIVE_ZEROS)
def test_a_negative_zero_literal_keeps_its_sign(case, dtype):
    """Triton's front end reads a literal equal to 0 as its dtype's 0 (semantic.scalar_constant),
    so `-0.0` was +0.0 on the interpreter and for sm_90: signbit tells them apart."""
    expression, truth = NEGATIVE_ZEROS[case]
    source = kernel("x: torch.Tensor", one_loop(expression))
    x = values(torch.float32, N).to(dtype)
    got = generated(source, "k", x)(x.clone())
    expected = truth(x.cpu())
    assert torch.equal(torch.signbit(got.cpu()), torch.signbit(expected)), case
    assert torch.equal(got.cpu(), expected)


def test_a_negative_zero_compiles_for_sm_90_as_its_bits():
    source = kernel("x: torch.Tensor", one_loop("torch.where(x[tile] > 0, x[tile], -0.0)"))
    built = transpiler.kernels_from_source(source, filename="kernels.py")["k"]
    (result,) = built.bind(device_args((values(torch.float32, N),))).compile_for("sm_90")
    assert "0f80000000" in result.asm["ptx"]  # -0.0's bits
