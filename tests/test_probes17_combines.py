"""Probes (round 17) of `hl.associative_scan` and `hl.reduce` given one of torch's functions as
the combine function, as Helion's own docs spell hl.cumsum (`hl.associative_scan(torch.add,
input, dim, reverse)`), each against torch in float64 on rows of 37 in blocks of 64 (lanes past
the end), each launch also compiled for sm_90 (conftest).

Found in round 17: refused though valid, "the combine function must be a lambda or a function
this module defines". Now each of torch's add, mul, maximum, minimum, logaddexp and bitwise
and / or / xor stands for its lambda (lower/scans.py's TORCH_COMBINES); another torch function is
refused as before, its hint naming those that work."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

M, N = 13, 37
ROWS = """    m, n = x.shape
    out = {out}
    for tm in hl.tile(m):
        out[tm, {target}] = {expression}
    return out
"""
CONFIG = "@helion.kernel(config=helion.Config(block_sizes=[4]))"


def flipped(scan):
    return lambda v: torch.flip(scan(torch.flip(v, [-1])), [-1])


CASES = {  # expression of x[tm, :], target, output, truth of float64 x
    "the_docs_cumsum": ("hl.associative_scan(torch.add, x[tm, :], dim=1)", ":", "torch.empty_like(x)", lambda x: x.cumsum(1)),
    "a_reverse_running_max": ("hl.associative_scan(torch.maximum, x[tm, :] - 3, 1, reverse=True)", ":", "torch.empty_like(x)", flipped(lambda v: torch.cummax(v - 3, 1).values)),
    "a_product_down_a_row": ("hl.associative_scan(torch.mul, x[tm, :] * 0.1 + 1, 1)", ":", "torch.empty_like(x)", lambda x: (x * 0.1 + 1).cumprod(1)),
    "a_minimum_of_shifted_rows": ("hl.reduce(torch.minimum, x[tm, :] + 3, dim=1)", "None", "torch.empty([m, 1], dtype=x.dtype, device=x.device)", lambda x: (x + 3).amin(1, keepdim=True)),
    "a_logsumexp_kept": ("hl.reduce(torch.logaddexp, x[tm, :] * 4, 1, keep_dims=True)", ":", "torch.empty([m, 1], dtype=x.dtype, device=x.device)", lambda x: torch.logsumexp(x * 4, 1, keepdim=True)),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_torch_s_combine_functions_compute_as_torch(case):
    expression, target, out, truth = CASES[case]
    if target == "None":
        target, expression = ":", f"({expression})[:, None]"
    body = ROWS.format(out=out, target=target, expression=expression)
    source = kernel("x: torch.Tensor", body, CONFIG)
    assert_computes_as_torch(source, lambda: [signed_rand(M, N).to(DEVICE)], truth)


def test_the_bits_of_int_rows_combine_as_torch_s():
    body = ROWS.format(
        out="torch.empty([m, 1], dtype=torch.int64, device=x.device)",
        target=":",
        expression="(hl.reduce(torch.bitwise_or, x[tm, :], 1) ^ hl.reduce(torch.bitwise_xor, "
        "x[tm, :], 1) + hl.reduce(torch.bitwise_and, x[tm, :], 1))[:, None]",
    )

    def truth(x):
        columns = x.unbind(1)
        ored, xored, anded = columns[0], columns[0], columns[0]
        for c in columns[1:]:
            ored, xored, anded = ored | c, xored ^ c, anded & c
        return (ored ^ xored + anded)[:, None]

    make = lambda: [torch.randint(-(2**40), 2**40, (M, N), device=DEVICE)]  # noqa: E731
    assert_computes_as_torch(kernel("x: torch.Tensor", body, CONFIG), make, truth)


def test_another_torch_function_is_refused_naming_those_that_work():
    body = ROWS.format(out="torch.empty_like(x)", target=":",
                       expression="hl.associative_scan(torch.sub, x[tm, :], 1)")  # fmt: skip
    source = kernel("x: torch.Tensor", body, CONFIG)
    line = next(n for n, t in enumerate(source.splitlines(), 1) if "torch.sub" in t)
    assert_refused_at(source, line, "torch.sub", "must be a lambda", "torch.maximum")
