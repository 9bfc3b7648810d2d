"""Evaluator-style probes of sums and rounding in device code (round 8): sums of bool blocks
(`(x[tile] > 0).sum(-1)`, torch's int64 count) stored as int64, int32 and float and used in
float arithmetic; `torch.sum(x[tile], 0)` of a 1-D block, and a dim out of range refused naming
the dims there are (the hint spoke of element-wise tiles before); Python's `round(x[tile])` (an
undefined name before round 8) as torch.round, `round(x, 2)` and a number's round refused
naming the fix; each against float64 torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from torch_answers import assert_computes_as_torch, assert_refused_at

HEADER = """
import torch
import helion
import helion.language as hl
"""


def f(*shape, dtype=torch.float32):
    return torch.randn(*shape, device=DEVICE).to(dtype)


def kernel(signature, body):
    return HEADER + f"\n@helion.kernel()\ndef k({signature}) -> torch.Tensor:\n{body}"


def row_counts(expression, dtype):
    return kernel(
        "x: torch.Tensor",
        f"    m, n = x.size()\n    out = torch.empty([m], dtype={dtype}, device=x.device)\n"
        f"    for tile in hl.tile(m):\n        out[tile] = {expression}\n    return out\n",
    )


# (expression over x[tile, :], the output's dtype, make x, torch's answer)
BOOL_SUMS = {
    "method_last_dim": ("(x[tile, :] > 0).sum(-1)", "torch.int64", lambda: [f(37, 301)], lambda x: (x > 0).sum(-1)),
    "torch_sum_dim_1": ("torch.sum(x[tile, :] > 0, dim=1)", "torch.int32", lambda: [f(37, 301)], lambda x: (x > 0).sum(1).int()),
    "count_times_float": ("(x[tile, :] != 0).sum(1) * 0.5", "torch.float32", lambda: [f(37, 29)], lambda x: (x != 0).sum(1) * 0.5),
    "count_divided": ("(x[tile, :] > 0.5).sum(-1) / x.size(1)", "torch.float32", lambda: [f(37, 29)], lambda x: (x > 0.5).sum(-1) / x.shape[1]),
    "uint8_nonzero": ("(x[tile, :] != 0).sum(-1)", "torch.int64", lambda: [torch.randint(0, 3, (37, 301), device=DEVICE, dtype=torch.uint8)], lambda x: (x != 0).sum(-1)),
    "bool_argument": ("x[tile, :].sum(-1)", "torch.int64", lambda: [torch.rand(37, 301, device=DEVICE) > 0.5], lambda x: x.sum(-1)),
    "half_compared": ("(x[tile, :] > 0).sum(-1)", "torch.int64", lambda: [f(37, 1001, dtype=torch.float16)], lambda x: (x > 0).sum(-1)),
}  # fmt: skip


@pytest.mark.parametrize("case", BOOL_SUMS)
def test_sum_of_a_bool_block_computes_as_torch(case):
    expression, dtype, make, truth = BOOL_SUMS[case]
    assert_computes_as_torch(row_counts(expression, dtype), make, truth)


def test_whole_block_bool_count_in_float_arithmetic_computes_as_torch():
    body = (
        "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, :] = x[tile, :] * (x[tile, :] > 0).sum(-1, keepdim=True)\n"
        "    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body),
        lambda: [f(37, 29)],
        lambda x: x * (x > 0).sum(-1, keepdim=True),
    )


ONE_LOOP = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = EXPRESSION
    return out
"""

SUM_1D = {
    "torch_sum_0": ("x[tile] - torch.sum(x[tile], 0)", lambda x: x - x.sum()),
    "torch_sum_dim_0_keepdim": ("x[tile] - torch.sum(x[tile], dim=0, keepdim=True)", lambda x: x - x.sum()),
    "method_sum_minus_1": ("x[tile] * x[tile].sum(-1)", lambda x: x * x.sum()),
}  # fmt: skip


@pytest.mark.parametrize("case", SUM_1D)
def test_sum_of_a_1d_block_computes_as_torch(case):
    expression, truth = SUM_1D[case]
    source = kernel("x: torch.Tensor", ONE_LOOP.replace("EXPRESSION", expression))
    assert_computes_as_torch(source, lambda: [f(1001)], truth)


def line_of(source, text):
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


@pytest.mark.parametrize(
    "expression, dim",
    [
        ("torch.sum(x[tile], 1)", "1)"),
        ("x[tile].sum(-2)", "-2"),
        ("torch.cumsum(x[tile], 1)", "1)"),
        ("x[tile].amax(dim=2)", "2)"),
    ],
    ids=["torch_sum_1", "sum_minus_2", "cumsum_1", "amax_2"],
)
def test_dim_out_of_range_of_a_1d_block_names_its_dims(expression, dim):
    source = kernel("x: torch.Tensor", ONE_LOOP.replace("EXPRESSION", f"x[tile] - {expression}"))
    line = line_of(source, expression)
    column = source.splitlines()[line - 1].index(expression) + expression.rindex(dim)
    text = source.splitlines()[line - 1][column:]
    assert_refused_at(source, line, text, "out of range for a 1-D", "dim 0 (or -1) only")


ROUNDS = {
    "block": ("round(x[tile])", lambda: [f(301) * 5], torch.round),
    "halves_to_even": ("round(x[tile])", lambda: [torch.arange(-37, 38, device=DEVICE) / 2.0], torch.round),
    "scaled_half": ("round(x[tile] * 3)", lambda: [f(301, dtype=torch.float16)], lambda x: torch.round(x * 3)),
    "of_a_sum": ("x[tile] - round(x[tile].sum())", lambda: [f(301)], lambda x: x - torch.round(x.sum())),
    "of_a_number": ("x[tile] * round(3.5)", lambda: [f(37)], lambda x: x * 4),
    "int_block": ("round(x[tile]) + 1", lambda: [torch.randint(-50, 50, (301,), device=DEVICE)], lambda x: x + 1),
}  # fmt: skip


@pytest.mark.parametrize("case", ROUNDS)
def test_builtin_round_computes_as_torch(case):
    expression, make, truth = ROUNDS[case]
    source = kernel("x: torch.Tensor", ONE_LOOP.replace("EXPRESSION", expression))
    assert_computes_as_torch(source, make, truth)


def test_builtin_round_2d_computes_as_torch():
    body = (
        "    out = torch.empty_like(x)\n    for tm, tn in hl.tile(x.size()):\n"
        "        out[tm, tn] = round(x[tm, tn] * 10) / 10\n    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body), lambda: [f(37, 29)], lambda x: torch.round(x * 10) / 10
    )


@pytest.mark.parametrize(
    "signature, expression",
    [("x: torch.Tensor", "round(x[tile], 2)"), ("x: torch.Tensor, scale: float", "x[tile] * round(scale)")],
    ids=["decimals", "python_number"],
)  # fmt: skip
def test_builtin_round_refused_names_the_fix(signature, expression):
    source = kernel(signature, ONE_LOOP.replace("EXPRESSION", expression))
    assert_refused_at(
        source, line_of(source, "round("), "round(", "round()", "torch.round(x * 10**d)"
    )
