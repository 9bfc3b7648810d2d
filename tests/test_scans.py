"""hl.associative_scan and hl.reduce with the user's combine functions: generated vs reference
mode vs float64 torch."""

from __future__ import annotations

from typing import cast

import pytest
import torch
from helpers import DEVICE, assert_matches, both_truths, kernel_source

import transpiler
import transpiler.language as hl

DTYPES = [torch.float16, torch.float32]


def uniform(*shape: int, dtype=torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_row_scans(dtype):
    x = uniform(21, 37, dtype=dtype)
    ours, reference = both_truths("scans.py", "row_scans", x)
    wide = x.double()
    expected = wide.cumsum(dim=1) + wide.cummax(dim=1).values
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_row_segment_sums(dtype):
    x = uniform(13, 45, dtype=dtype)
    segment_ids = torch.randint(0, 4, (45,)).sort().values  # runs of equal ids
    ours, reference = both_truths("scans.py", "row_segment_sums", x, segment_ids)
    expected = torch.zeros(13, 45, dtype=torch.float64)
    for column in range(45):
        same = column > 0 and segment_ids[column] == segment_ids[column - 1]
        expected[:, column] = x[:, column].double() + (expected[:, column - 1] if same else 0)
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_row_reductions(dtype):
    x = uniform(17, 29, dtype=dtype)
    (largest, where, products), reference = both_truths("scans.py", "row_reductions", x)
    for ours, theirs in zip((largest, where, products), reference):
        assert_matches(ours, theirs)
    wide = x.double()
    assert_matches(largest, wide.amax(dim=1))
    assert torch.equal(where.long(), wide.argmax(dim=1))
    assert_matches(products, (1 + wide / 4).prod(dim=1, keepdim=True), torch.float32)


def test_combine_functions_become_triton_functions():
    source = kernel_source("scans.py")
    x = torch.rand(3, 5)
    code = transpiler.transpile(source, example_args={"row_reductions": (x,)})
    assert (
        "@triton.jit\ndef larger_with_index_jit(left_value, left_index, right_value, right_index):"
        in code
    )
    assert 'tl.where(mask_n[None, :], row, float("-inf"))' in code  # lanes past n: other=
    assert "def combine_jit(a, b):" in code


def _add(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    return left + right


def _row_cumsum(values: torch.Tensor) -> torch.Tensor:
    widened = values.to(torch.float32)
    return cast(torch.Tensor, hl.associative_scan(_add, widened, dim=1))


@transpiler.kernel()
def cumsum_rows(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = _row_cumsum(x[tile, :]).to(out.dtype)
    return out


def test_a_kernel_finds_the_helpers_of_its_helpers_when_called():
    """transpiler.kernel builds its module from what the function reads: the helper's own
    helper (_add) and typing.cast come along."""
    x = uniform(9, 33).to(DEVICE)
    assert_matches(cumsum_rows(x).cpu(), x.double().cumsum(dim=1).cpu())
