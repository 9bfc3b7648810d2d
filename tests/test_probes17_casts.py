"""Probes (round 17) of conversions as ML code spells them, each against torch in float64 (or
exactly), each launch also compiled for sm_90 (conftest).

Found in round 17: `v.type(torch.int32)` (torch's older spelling of `v.to(torch.int32)`) was
refused though valid, "torch op 'type' is not supported inside a device loop" with a hint to
read docs/ops.md. Now it is `.to(dtype)` (lower/calls.py), in host code too; `v.type()` without
a dtype, the name of the tensor's type (a string), is refused at the call."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel, one_loop
from torch_answers import assert_computes_as_torch, assert_refused_at

N = 37


def floats():
    return [signed_rand(N).to(DEVICE)]


def output(dtype: str) -> str:
    return f"torch.empty(x.shape, dtype={dtype}, device=x.device)"


CASES = {  # expression of x[tile], output, truth of float64 x
    "the_user_s_type_int32": ("(x[tile] * 10).type(torch.int32)", output("torch.int32"), lambda x: (x.float() * 10).int()),
    "a_dtype_keyword_into_int16": ("(x[tile] * 1000).type(dtype=torch.int16)", output("torch.int16"), lambda x: (x.float() * 1000).to(torch.int16)),
    "a_half_compared": ("torch.where(x[tile].type(torch.float16) > 0.3, 1.0, 0.0)", "torch.empty_like(x)", lambda x: (x.half() > 0.3).double()),
    "an_int64_floored": ("(x[tile] * 1000).type(torch.int64) // -7", output("torch.int64"), lambda x: (x.float() * 1000).long() // -7),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_type_with_a_dtype_converts_as_to(case):
    expression, out, truth = CASES[case]
    assert_computes_as_torch(kernel("x: torch.Tensor", one_loop(expression, out)), floats, truth)


def test_type_in_host_code_converts_before_the_loop():
    body = "    x = x.type(torch.float64)\n" + one_loop("x[tile] * 0.1")
    assert_computes_as_torch(kernel("x: torch.Tensor", body), floats, lambda x: x * 0.1)


def test_type_without_a_dtype_is_refused_at_the_call():
    source = kernel("x: torch.Tensor", one_loop("x[tile].type()"))
    line = next(n for n, t in enumerate(source.splitlines(), 1) if ".type()" in t)
    assert_refused_at(source, line, "x[tile].type()", "name of the tensor's type", "v.dtype")
