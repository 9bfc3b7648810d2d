"""A Python int carried into a device loop whose body makes it a tensor's values (`total = 0`,
then `total = total + x[i, j]`): torch makes `total` x's dtype on the first iteration, and so
does the generated code before the loop (carried.py's number_typed_by_loop). It ran in the
interpreter but Triton's sm_90 compile refused it (int32 before the loop, fp32 after); each
launch here is compiled for sm_90 too (conftest). Odd sizes, against torch in float64."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

import transpiler

M, N = 13, 37

GRID_RANGE = """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for i in hl.grid(m):
        total = 0
        for j in range(n):
            total = total + x[i, j]
        out[i] = total
    return out
"""
WHILE = """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for i in hl.grid(m):
        total = 0
        j = 0
        while j < n:
            total = total + x[i, j] * 3
            j += 1
        out[i] = total
    return out
"""
STEPPED = """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for i in hl.grid(m):
        best = 0
        for j in range(1, n, 2):
            best = torch.maximum(x[i, j], x[i, j - 1]) + best
        out[i] = best
    return out
"""
CASES = {  # body, truth
    "grid_range_sum": (GRID_RANGE, lambda x: x.sum(1)),
    "while_scaled_sum": (WHILE, lambda x: (x * 3).sum(1)),
    "stepped_maximum": (
        STEPPED,
        lambda x: torch.maximum(x[:, 1::2], x[:, 0:-1:2]).sum(1),
    ),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.float64])
@pytest.mark.parametrize("case", CASES)
def test_a_python_int_becomes_the_tensors_dtype(case, dtype):
    body, truth = CASES[case]
    source = kernel("x: torch.Tensor", body)
    make = lambda: [signed_rand(M, N).to(dtype).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, truth)


def test_an_integer_tensor_keeps_its_integers():
    source = kernel("x: torch.Tensor", GRID_RANGE)
    make = lambda: [torch.randint(-50, 50, (M, N), dtype=torch.int32, device=DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, lambda x: x.sum(1))


def test_the_number_enters_the_loop_as_the_tensors_dtype():
    code = transpiler.transpile(kernel("x: torch.Tensor", GRID_RANGE))
    lines = [line.strip() for line in code.splitlines()]
    retyped = lines.index(
        "total = carried_as(total, x_ptr.dtype.element_ty)  # x's dtype, as torch makes it"
    )
    assert lines[retyped - 1] == "total = 0" and lines[retyped + 2] == "for j in range(n):"
