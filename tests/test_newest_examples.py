"""Constructs of Helion's newest examples (issue 15), each on kernels of our own."""

from __future__ import annotations

import importlib
import math

import pytest
import torch
from helpers import assert_matches, both_truths, generated

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


def test_module_globals_assigned_and_imported():
    turns = rand(7, 19)
    ours, reference = both_truths(FILE, "turns_to_radians", turns)
    assert ours.dtype == torch.float16
    assert_matches(ours, (turns.double() * math.tau).half())
    assert_matches(ours, reference)


PRECISION = """\
import torch

NARROW = torch.float16
FACTOR = 3
"""
USER = """\
import torch
import transpiler as helion
import transpiler.language as hl
from precision_{n} import FACTOR, NARROW


@helion.kernel()
def scaled_narrow(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=NARROW, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile] * FACTOR).to(NARROW)
    return out
"""


@pytest.mark.parametrize("path", ["decorator", "transpile"])
def test_names_imported_from_another_module(tmp_path, monkeypatch, path):
    """A dtype and an int imported from the user's own module, read in the device loop: the
    decorator sees the kernel's globals; transpile() imports the module, as Python would."""
    n = path  # one module name per case: Python caches imports
    (tmp_path / f"precision_{n}.py").write_text(PRECISION)
    (tmp_path / f"user_{n}.py").write_text(USER.format(n=n))
    monkeypatch.syspath_prepend(str(tmp_path))
    x = rand(23)
    if path == "decorator":
        ours = importlib.import_module(f"user_{n}").scaled_narrow(x)
    else:
        source = USER.format(n=n)
        ours = generated(source, "scaled_narrow", x)(x)
    assert ours.dtype == torch.float16
    assert_matches(ours, (x.double() * 3).half())
