"""Device loops in helper functions a kernel's device loop calls (issue 15, `nvfp4_gemv`'s form):
inlined where called, a second call's loop kept apart from the first's result."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, both_truths, generated, kernel_source

import transpiler
from transpiler.compile.frontend.errors import CallableArgumentError, TileOutsideKernelError

SOURCE = kernel_source("helper_loops.py")


def run(name: str, *args: object):
    return generated(SOURCE, name, *args)(*args)


def rows(m: int, n: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.randn(m, n, dtype=torch.float64) + 0.25).to(dtype)


@pytest.mark.parametrize("m, n", [(37, 300), (1, 17), (64, 64)])
def test_a_helper_loop_inside_an_expression(m: int, n: int) -> None:
    x = rows(m, n)
    ours, reference = both_truths("helper_loops.py", "scaled_row_sums", x)
    expected = x.double().sum(-1) * 2
    torch.testing.assert_close(ours.double(), expected, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(reference.double(), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_the_same_helper_twice_in_one_expression(dtype: torch.dtype) -> None:
    x, y = rows(29, 133, dtype), rows(29, 133, dtype)
    ours = run("row_sum_difference", x, y)
    expected = x.double().sum(-1) - 3 * y.double().sum(-1)
    torch.testing.assert_close(ours.double(), expected, rtol=1e-5, atol=1e-3)
    code = transpiler.transpile_module(
        SOURCE, example_args={"row_sum_difference": (x, y)}, only=("row_sum_difference",)
    ).code
    assert "row_sums_result - 3.0 * row_sums_result_1" in code


@pytest.mark.parametrize("m, n", [(23, 301), (8, 40)])
def test_a_helper_calling_a_helper_then_looping(m: int, n: int) -> None:
    x = rows(m, n) * 3 + 5  # a mean far from zero: a one-pass formula would lose digits
    ours, reference = both_truths("helper_loops.py", "row_variance", x)
    expected = x.double().var(dim=-1)
    torch.testing.assert_close(ours.double(), expected, rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(reference.double(), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_a_helper_product_loop_under_a_2d_tile(dtype: torch.dtype) -> None:
    x, y, bias = rows(37, 70, dtype), rows(70, 45, dtype), rows(1, 45, dtype)[0]
    ours = run("matmul_with_bias", x, y, bias)
    expected = x.double() @ y.double() + bias.double()
    tolerance = 2e-2 if dtype == torch.float16 or DEVICE == "cuda" else 1e-4  # a GPU's TF32
    torch.testing.assert_close(ours.double(), expected, rtol=tolerance, atol=tolerance)


LOOPING_HELPER = """\
import helion
import helion.language as hl
import torch


def row_sums(x, tile_m, n):
    {local} = hl.zeros([tile_m], dtype=torch.float32)
    for tile_n in hl.tile(n):
        {local} = {local} + x[tile_m, tile_n].sum(-1)
    return {local}


@helion.kernel()
def sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        {caller}
    return out
"""


def test_a_helper_loop_no_kernel_calls_is_refused() -> None:
    source = LOOPING_HELPER.format(local="acc", caller="out[tile_m] = x[tile_m, 0]")
    with pytest.raises(TileOutsideKernelError, match="outside a @helion.kernel function"):
        transpiler.transpile_module(source, example_args={"sums": (torch.randn(5, 7),)})


def test_a_helper_assigning_a_kernel_name_is_refused() -> None:
    caller = "m2 = tile_m.begin\n        out[tile_m] = row_sums(x, tile_m, n) + m2"
    source = LOOPING_HELPER.format(local="m2", caller=caller)
    with pytest.raises(CallableArgumentError, match="assigns 'm2'") as error:
        transpiler.transpile_module(source, example_args={"sums": (torch.randn(5, 7),)})
    assert "rename 'm2' inside row_sums()" in str(error.value)
