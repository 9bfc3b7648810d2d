"""torch.stack / torch.cat of blocks and hl.split / hl.join: generated vs reference mode vs
float64 torch, at odd sizes."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, both_truths, generated, kernel_source

import transpiler

DTYPES = [torch.float16, torch.float32]


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def check(name: str, expected: torch.Tensor, *args: torch.Tensor) -> torch.Tensor:
    ours, reference = both_truths("stacking.py", name, *args)
    assert ours.shape == expected.shape
    assert_matches(ours, reference)
    assert_matches(ours, expected, dtype=args[0].dtype)
    return ours


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_interleave(dtype):
    a, b = rand(37, dtype=dtype), rand(37, dtype=dtype)
    check("interleave", torch.stack([a.double(), b.double()], dim=1), a, b)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_powers_stacks_four(dtype):
    x = (rand(41) + 2).to(dtype)  # away from 0: 1 / x
    d = x.double()
    check("powers", torch.stack([d, d * d, d * d * d, 1 / d]), x)


def test_stack_middle_permutes():
    x, y = rand(9, 13), rand(9, 13)
    check("stack_middle", torch.stack([x.double(), y.double()], dim=1), x, y)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_swap_pairs(dtype):
    x = rand(29, 2, dtype=dtype)
    check("swap_pairs", x.double().flip(-1), x)


def test_cat_pairs():
    x, y = rand(23, 2), rand(23, 2)
    check("cat_pairs", torch.cat([x.double(), 2 * y.double()], dim=1), x, y)


def test_cat_columns():
    a, b = rand(31), rand(31)
    check("cat_columns", torch.stack([a.double(), b.double()], dim=1), a, b)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_complex_multiply(dtype):
    x, y = rand(45, 2, dtype=dtype), rand(45, 2, dtype=dtype)
    ours, reference = both_truths("examples.py", "complex_multiply", x, y)
    product = torch.view_as_complex(x.double().contiguous()) * torch.view_as_complex(
        y.double().contiguous()
    )
    assert_matches(ours, reference)
    assert_matches(ours, torch.view_as_real(product))


def test_split_checks_the_pair_dimension_at_launch():
    """x[tile, :] has a run-time length: the launcher checks it is 2 before tl.split runs."""
    code = transpiler.transpile(kernel_source("stacking.py"))
    assert "x_first, x_second = tl.split(x_tile)" in code
    assert "if x.size(1) != 2:" in code
    x = rand(5, 3)
    with pytest.raises(RuntimeError, match=r"x.size\(1\) must be 2"):
        generated(kernel_source("stacking.py"), "swap_pairs", x)(x)


def test_stacks_of_four_join_evens_and_odds():
    """torch.stack([a, b, c, d]) is join(join(a, c), join(b, d)) reshaped: row-major order."""
    code = "".join(transpiler.transpile(kernel_source("stacking.py")).split())  # as wrapped
    joined = "join_promoted(join_promoted(v,v*v*v),join_promoted(v*v,1.0/v))"
    assert f"tl.reshape({joined},[BLOCK_SIZE,4])" in code
