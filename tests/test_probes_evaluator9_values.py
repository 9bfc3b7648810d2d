"""Evaluator-style probes of element values (round 9): `torch.copysign` with a number for its
sign (`torch.copysign(x, -1.0)`, `x.copysign(2)`, `-0.0`: an InterpreterError inside Triton
before round 9, whose `signbit` took a Python float; and Triton reads a `-0.0` literal as 0.0);
integer lanes no tensor holds (`tile.index`, Triton's int32) beside a literal past int32
(`tile.index * 10**10`: Triton refused the literal); and corners that were right, kept: sign of
unsigned and NaN, fmod / remainder / floor division by negative divisors and numbers, shifts of
narrow integers, clamp of integers by float bounds, predicates of integers, nan_to_num,
integer powers, logical ops of floats. Each against float64 torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel, one_loop
from torch_answers import assert_computes_as_torch

N = 301


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def ints(low, high, dtype=torch.int32, n=N):
    return torch.randint(low, high, (n,), device=DEVICE).to(dtype)


def divisors(dtype=torch.int32):
    """Nonzero, both signs."""
    values = torch.randint(-9, 9, (N,), device=DEVICE)
    return torch.where(values == 0, 3, values).to(dtype)


SIGNED_ZEROS = [float("nan"), -0.0, 0.0, -2.0, 3.0, float("-inf")]

COPYSIGNS = {
    "negative_number": ("torch.copysign(x[tile], -1.0)", lambda x, y: torch.copysign(x, -1.0)),
    "negative_zero": ("torch.copysign(x[tile], -0.0)", lambda x, y: torch.copysign(x, -0.0)),
    "method_int": ("x[tile].copysign(2)", lambda x, y: x.copysign(2)),
    "tensor": ("torch.copysign(x[tile], y[tile])", lambda x, y: torch.copysign(x, y)),
    "number_then_tensor": (
        "torch.copysign(x[tile], -1.5) * torch.copysign(y[tile], 0.0)",
        lambda x, y: torch.copysign(x, -1.5) * torch.copysign(y, 0.0),
    ),
}


@pytest.mark.parametrize("case", COPYSIGNS)
def test_copysign_with_a_number_computes_as_torch(case):
    expression, truth = COPYSIGNS[case]
    signs = torch.tensor(SIGNED_ZEROS * 50 + [1.0], device=DEVICE)
    assert_computes_as_torch(
        kernel("x: torch.Tensor, y: torch.Tensor", one_loop(expression)),
        lambda: [floats(N), signs[torch.randperm(N, device=DEVICE)]],
        truth,
    )


def test_copysign_by_a_float_argument_computes_as_torch():
    """A float argument for the sign (Triton's interpreter reads an argument's -0.0 as 0.0, as
    it reads a literal: the GPU passes the argument's bits, so -0.0 is left out here)."""
    source = kernel("x: torch.Tensor, s: float", one_loop("torch.copysign(x[tile], s)"))
    x = floats(N)
    for s in (-3.0, 0.0, 2.5):
        got = generated(source, "k", x, s)(x, s)
        assert torch.equal(got.cpu(), torch.copysign(x, s).cpu()), s


INDEX_VALUES = {
    "times_ten_billion": ("tile.index * 10000000000", lambda x: torch.arange(N) * 10**10),
    "hash": (
        "(tile.index * 2654435761) % 1000003",
        lambda x: (torch.arange(N) * 2654435761) % 1000003,
    ),
    "minus_three_billion_as_float": (
        "(tile.index - 3000000000).float() + x[tile]",
        lambda x: (torch.arange(N) - 3000000000).float().double() + x,
    ),
    "int64_tensor_beside": (
        "x[tile].long() * 3000000000 + tile.index",
        lambda x: x.long() * 3000000000 + torch.arange(N),
    ),
    "long_first": (
        "tile.index.long() * tile.index * 100000",
        lambda x: torch.arange(N) ** 2 * 10**5,
    ),
}


@pytest.mark.parametrize("case", INDEX_VALUES)
def test_tile_indices_beside_a_literal_past_int32_compute_as_torch(case):
    expression, truth = INDEX_VALUES[case]
    out = "torch.empty([x.size(0)], dtype=torch.float64, device=x.device)"
    if "float" not in expression:
        out = "torch.empty([x.size(0)], dtype=torch.int64, device=x.device)"
    source = kernel("x: torch.Tensor", one_loop(expression, out))
    make = (lambda: [floats(N).double()]) if "float" in expression else (lambda: [ints(-5, 5)])
    assert_computes_as_torch(source, make, truth)


def test_an_int32_tensor_beside_a_literal_past_int32_is_refused_naming_int64():
    """torch wraps in int32, Triton cannot hold the literal: the launcher names the fix (its hint
    said `.to(torch.int32)`, the dtype the tensor already had)."""
    source = kernel("x: torch.Tensor", one_loop("x[tile] * 3000000000"))
    x = ints(-5, 5)
    with pytest.raises(TypeError, match=r"line 11 .*torch.int32 x.*\.to\(torch.int64\)"):
        generated(source, "k", x)(x)


ELEMENTS = {
    "sign_uint8": ("torch.sign(x[tile])", lambda: [ints(0, 256, torch.uint8)], torch.sign),
    "sign_nan_and_zeros": (
        "torch.sign(x[tile])",
        lambda: [torch.tensor(SIGNED_ZEROS * 50 + [1.0], device=DEVICE)],
        torch.sign,
    ),
    "fmod_by_negative_number": (
        "torch.fmod(x[tile], -0.7)",
        lambda: [floats(N)],
        lambda x: torch.fmod(x, -0.7),
    ),
    "remainder_int_by_negative_number": (
        "torch.remainder(x[tile], -7)",
        lambda: [ints(-100, 100)],
        lambda x: torch.remainder(x, -7),
    ),
    "remainder_int_by_float": (
        "torch.remainder(x[tile], 2.5)",
        lambda: [ints(-100, 100)],
        lambda x: torch.remainder(x, 2.5),
    ),
    "floor_divide_by_negative_float": (
        "torch.floor_divide(x[tile], -2.5)",
        lambda: [floats(N)],
        lambda x: torch.floor_divide(x, -2.5),
    ),
    "int8_shifts": (
        "(x[tile] << 3) + (x[tile] >> 2)",
        lambda: [ints(-128, 128, torch.int8)],
        lambda x: (x << 3) + (x >> 2),
    ),
    "clamp_int_by_floats": (
        "torch.clamp(x[tile], min=-2.5, max=3.5)",
        lambda: [ints(-10, 10)],
        lambda x: torch.clamp(x, min=-2.5, max=3.5),
    ),
    "isfinite_int8": (
        "torch.isfinite(x[tile]) & ~torch.isnan(x[tile])",
        lambda: [ints(-9, 9, torch.int8)],
        lambda x: torch.isfinite(x) & ~torch.isnan(x),
    ),
    "nan_to_num": (
        "torch.nan_to_num(x[tile], nan=0.5, posinf=9.0, neginf=-9.0)",
        lambda: [
            torch.tensor(
                [float("nan"), float("inf"), float("-inf"), 1.5] * 75 + [2.0], device=DEVICE
            )
        ],
        lambda x: torch.nan_to_num(x, nan=0.5, posinf=9.0, neginf=-9.0),
    ),
    "int_power_of_int": (
        "x[tile] ** 3 + 2 ** (x[tile] & 15)",
        lambda: [ints(-1000, 1000, torch.int64)],
        lambda x: x**3 + 2 ** (x & 15),
    ),
    "logical_xor_of_floats": (
        "torch.logical_xor(x[tile], x[tile] - 1)",
        lambda: [floats(N).round()],
        lambda x: torch.logical_xor(x, x - 1),
    ),
}


@pytest.mark.parametrize("case", ELEMENTS)
def test_element_corners_compute_as_torch(case):
    expression, make, truth = ELEMENTS[case]
    out = "torch.empty_like(x)"
    if case.startswith(("clamp", "remainder_int_by_float")):
        out = "torch.empty([x.size(0)], dtype=torch.float32, device=x.device)"
    if case.startswith(("isfinite", "logical")):
        out = "torch.empty([x.size(0)], dtype=torch.bool, device=x.device)"
    assert_computes_as_torch(kernel("x: torch.Tensor", one_loop(expression, out)), make, truth)
