"""A Python number carried into a device loop whose body makes it a block of a tensor's values
(`total = 0`, then `total = total + x[i, j]`; `total = 0.0`, then `total = total + x[tm,
tn].sum(1)`): torch gives `total` the block's shape and `number + block`'s dtype on the first
iteration, and so does the generated code before the loop (carried.number_typed_by_loop). The
first ran in the interpreter but Triton's sm_90 compile refused it (int32 before the loop, fp32
after); the second was refused. Each launch here is compiled for sm_90 too (conftest). Odd
sizes and blocks that do not divide them, against torch in float64."""

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
TILE_SUM = """    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        total = 0.0
        for tn in hl.tile(n):
            total = total + x[tm, tn].sum(1)
        out[tm] = total
    return out
"""
INT_TILE_MAX = """    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        total = 0
        for tn in hl.tile(n):
            total = total + x[tm, tn].amax(1) * 2
        out[tm] = total
    return out
"""
TWO_D_STEPS = """    m, n = x.shape
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        acc = 0.5
        for step in range(3):
            acc = acc * 0.5 + x[tm, tn]
        out[tm, tn] = acc
    return out
"""
CASES = {  # body, truth
    "grid_range_sum": (GRID_RANGE, lambda x: x.sum(1)),
    "while_scaled_sum": (WHILE, lambda x: (x * 3).sum(1)),
    "stepped_maximum": (
        STEPPED,
        lambda x: torch.maximum(x[:, 1::2], x[:, 0:-1:2]).sum(1),
    ),
    "float_total_of_tile_sums": (TILE_SUM, lambda x: x.sum(1)),
    "int_total_of_tile_maxima": (
        INT_TILE_MAX,
        lambda x: sum(x[:, b : b + 8].amax(1) * 2 for b in range(0, N, 8)),
    ),
    "two_d_block_of_steps": (
        TWO_D_STEPS,
        lambda x: ((0.5 * 0.5 + x) * 0.5 + x) * 0.5 + x,
    ),
}
BLOCKS = "@helion.kernel(config=helion.Config(block_sizes=[4, 8]))"


def blocks(body: str) -> str:
    """Blocks of 4 x 8 for hl.tile loops (13 x 37 does not divide); hl.grid takes none."""
    return BLOCKS if "hl.tile" in body else "@helion.kernel()"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.float64])
@pytest.mark.parametrize("case", CASES)
def test_a_python_int_becomes_the_tensors_dtype(case, dtype):
    body, truth = CASES[case]
    source = kernel("x: torch.Tensor", body, blocks(body))
    make = lambda: [signed_rand(M, N).to(dtype).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, truth)


INTEGERS = {  # body, truth: torch's dtype for `number + block` of int32 values
    "int_plus_int32_stays_int32": (GRID_RANGE, lambda x: x.sum(1)),
    "float_plus_int64_sum_is_float32": (TILE_SUM, lambda x: x.sum(1).float()),
    "int_plus_int32_max_stays_integer": (
        INT_TILE_MAX,
        lambda x: sum(x[:, b : b + 8].amax(1) * 2 for b in range(0, N, 8)).float(),
    ),
}


@pytest.mark.parametrize("case", INTEGERS)
def test_an_integer_tensor_gives_torchs_dtype(case):
    body, truth = INTEGERS[case]
    source = kernel("x: torch.Tensor", body, blocks(body))
    make = lambda: [torch.randint(-50, 50, (M, N), dtype=torch.int32, device=DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, truth)


def test_the_number_enters_the_loop_as_the_tensors_dtype():
    code = transpiler.transpile(kernel("x: torch.Tensor", GRID_RANGE))
    lines = [line.strip() for line in code.splitlines()]
    retyped = lines.index(
        "total = number_carried(total, [], x_ptr.dtype.element_ty, x_ptr.dtype.element_ty)  "
        "# as torch types total + x's block"
    )
    assert lines[retyped - 1] == "total = 0" and lines[retyped + 2] == "for j in range(n):"


def test_a_float_enters_a_tile_loop_as_a_block_of_its_tiles():
    code = transpiler.transpile(kernel("x: torch.Tensor", TILE_SUM, BLOCKS))
    assert (
        "total = number_carried(total, [BLOCK_TM], x_ptr.dtype.element_ty, tl.float32)  "
        "# as torch types total + x's block"
    ) in code


TWO_TENSORS = """    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for i in hl.grid(m):
        total = 0
        for j in range(n):
            total = total + x[i, j] * y[i, j]
        out[i] = total
    return out
"""


@pytest.mark.parametrize(
    "dtypes",
    [
        (torch.float32, torch.float32),
        (torch.float16, torch.float32),
        (torch.float32, torch.float64),
    ],
    ids=str,
)
def test_a_number_made_two_tensors_values_takes_their_promoted_dtype(dtypes):
    source = kernel("x: torch.Tensor, y: torch.Tensor", TWO_TENSORS)
    make = lambda: [signed_rand(M, N).to(d).to(DEVICE) for d in dtypes]  # noqa: E731
    assert_computes_as_torch(source, make, lambda x, y: (x * y).sum(1))
