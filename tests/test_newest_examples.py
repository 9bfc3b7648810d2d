"""Constructs of Helion's newest examples (issue 15), each on kernels of our own."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, both_truths

FILE = "newest_examples.py"
DTYPES = [torch.float16, torch.float32]


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Values in [0.5, 1.5) or (-1.5, -0.5]: no zeros."""
    magnitude = torch.rand(*shape, dtype=torch.float64) + 0.5
    sign = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0).double()
    return (magnitude * sign).to(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("widths", [(3, 5), (17, 1), (1, 30)], ids=str)
def test_slices_bounded_by_host_sizes(dtype, widths):
    left, right = rand(13, widths[0], dtype=dtype), rand(13, widths[1], dtype=dtype)
    ours, reference = both_truths(FILE, "side_by_side", left, right)
    expected = torch.cat([left.double() * 2.0, right.double() + 1.0], dim=1)
    assert_matches(ours, expected)
    assert_matches(ours, reference)


@pytest.mark.parametrize("skip", [1, 6, 10])
def test_slice_from_a_host_integer_to_the_end(skip):
    x = rand(9, 11)
    ours, reference = both_truths(FILE, "shifted_window", x, skip)
    assert_matches(ours, torch.relu(x.double()[:, skip:]))
    assert_matches(ours, reference)
