"""Inner tile / grid loops over several dimensions: generated vs reference mode vs float64."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, both_truths, kernel_source

import transpiler

DTYPES = [torch.float16, torch.float32]


def uniform(*shape: int, dtype=torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_grouped_matmul(dtype):
    a, b = uniform(3, 37, 21, dtype=dtype), uniform(3, 21, 70, dtype=dtype)
    ours, reference = both_truths("inner_loops.py", "grouped_matmul", a, b)
    assert_matches(ours, reference, dots=True)
    assert_matches(ours, a.double() @ b.double(), dots=True)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_routed_rows(dtype):
    groups, longest, n = 4, 9, 13
    x = uniform(40, n, dtype=dtype)
    counts = torch.tensor([9, 0, 3, 5], dtype=torch.int32)
    order = torch.randperm(40)[: groups * longest].view(groups, longest)  # rows never shared
    scale = uniform(groups, dtype=dtype)
    ours, reference = both_truths("inner_loops.py", "routed_rows", x, counts, order, scale)
    expected = torch.zeros(40, n, dtype=torch.float64)
    for g in range(groups):
        rows = order[g, : counts[g]]
        expected[rows] = x[rows].double() * scale[g].double()
    assert_matches(ours, reference)
    assert_matches(ours, expected, dtype)


def test_tiled_block_sums():
    x = uniform(19, 5, 33)
    ours, reference = both_truths("inner_loops.py", "tiled_block_sums", x)
    expected = x.double().sum(dim=(1, 2)) + 3 * x[:, 0, 0].double()  # Σ i*j over 2x3 = 3
    assert_matches(ours, reference)
    assert_matches(ours, expected)


def test_several_dimensions_nest_one_loop_per_dimension():
    a, b = uniform(2, 5, 6), uniform(2, 6, 7)
    code = transpiler.transpile(
        kernel_source("inner_loops.py"), example_args={"grouped_matmul": (a, b)}
    )
    lines = [line.strip() for line in code.splitlines()]
    outer = lines.index("for begin_m in range(0, m, BLOCK_M):")
    assert lines[outer + 3] == "for begin_n in range(0, n, BLOCK_N):"
    assert "for begin_k in range(0, k, BLOCK_K):" in lines[outer:]
