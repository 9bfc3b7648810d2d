"""Evaluator-style probes of refusals (round 10): `torch.aminmax` in device code (refused in
round 10 naming the two reductions that work; lowered as them since round 14), and they compute
as torch's pair."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

PAIR = """    lo = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    hi = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        LINE
        lo[tile] = a
        hi[tile] = b
    return lo, hi
"""

AMINMAX = {  # refused (round 10) naming amin and amax; lowered since round 14
    "unpacked": "a, b = torch.aminmax(x[tile, :], dim=-1)",
    "method_fields": "a, b = x[tile, :].aminmax(dim=1).min, x[tile, :].aminmax(dim=1).max",
    "two_reductions": "a, b = torch.amin(x[tile, :], -1), torch.amax(x[tile, :], -1)",
}


@pytest.mark.parametrize("case", AMINMAX)
def test_aminmax_and_its_two_reductions_compute_as_torch(case):
    """tests/test_refused14_norms.py has more spellings."""
    source = kernel("x: torch.Tensor", PAIR.replace("LINE", AMINMAX[case]))
    assert_computes_as_torch(
        source,
        lambda: [torch.randn(37, 23, device=DEVICE) * 3],
        lambda x: tuple(torch.aminmax(x, dim=-1)),
    )


def test_a_field_torch_s_aminmax_lacks_is_refused():
    source = kernel(
        "x: torch.Tensor", PAIR.replace("LINE", "a = b = x[tile, :].aminmax(dim=1).values")
    )
    assert_refused_at(source, 12, "x[tile, :].aminmax", "attribute .values of a tuple")


# torch refuses integers to a negative integer power ("Integers to negative integer powers are
# not allowed"); the generated code computed 1 // x (0 for x > 1). Refused: at the launch for
# an integer tensor, at the line for a value known to hold integers (lower/integer_operators.py).
NEGATIVE_POWERS = {
    "operator": "x[tile] ** -1",
    "function": "torch.pow(x[tile], -2)",
    "method": "x[tile].pow(-3) + 1",
}


def powers(expression: str) -> str:
    return (
        "    out = torch.empty([x.size(0)], dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        out[tile] = {expression}\n"
        "    return out\n"
    )


@pytest.mark.parametrize("case", NEGATIVE_POWERS)
def test_a_negative_power_of_an_integer_tensor_is_refused_at_the_launch(case):
    source = kernel("x: torch.Tensor", powers(NEGATIVE_POWERS[case]))
    x = torch.randint(1, 5, (301,), device=DEVICE).to(torch.int32)
    with pytest.raises(TypeError, match="line 11 raises x to the power -"):
        generated(source, "k", x)(x)
    assert_computes_as_torch(
        source,
        lambda: [torch.rand(301, device=DEVICE) + 0.5],
        lambda x: eval(NEGATIVE_POWERS[case].replace("[tile]", ""), {"torch": torch, "x": x}),
    )


def test_a_negative_power_of_integers_known_while_transpiling_is_refused_at_the_line():
    source = kernel("x: torch.Tensor", powers("x[tile].to(torch.int64) ** -1"))
    assert_refused_at(
        source, 11, "x[tile].to", "torch refuses negative integer powers", "x.float()"
    )


def test_integers_to_a_float_or_non_negative_power_compute_as_torch():
    source = kernel("x: torch.Tensor", powers("x[tile] ** -1.0 + x[tile] ** 0 + x[tile] * 2 ** -1"))
    assert_computes_as_torch(
        source,
        lambda: [torch.randint(1, 5, (301,), device=DEVICE).to(torch.int32)],
        lambda x: x**-1.0 + x**0 + x * 0.5,
    )


# In-place methods in device code, refused as before: the hint names the assignment that works
# (it was "did you mean add?", "did you mean copysign?" for copy_, nothing for zero_ / fill_).
IN_PLACE = {
    "add_on_a_value": ("v = x[tile] * 2\n        v.add_(1)", 12, "add_", "v = v.add(...)"),
    "mul_on_a_subscript": ("x[tile].mul_(3)", 11, "mul_", "v = v.mul(...)"),
    "copy_into_the_output": ("out[tile].copy_(x[tile])", 11, "copy_", "out[tile] = value"),
    "zero_": ("v = x[tile] * 2\n        v.zero_()", 12, "zero_", "torch.zeros_like(v)"),
}


@pytest.mark.parametrize("case", IN_PLACE)
def test_an_in_place_method_names_the_assignment(case):
    lines, line, caret, words = IN_PLACE[case]
    body = (
        "    out = torch.zeros_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        {lines}\n"
        "    return out\n"
    )
    assert_refused_at(kernel("x: torch.Tensor", body), line, caret, f"'{caret}'", words)
