"""Evaluator-style probes of slices with negative bounds (round 10). Before: `x[tile, :-2]`
emitted `tl.arange(0, -2)` (an InterpreterError, and sm_90 refused it); `x[tile, -4:-4 + 2]`
read 4 elements before each row (the first row from memory before the tensor); `x[tile, 1:-1]`,
`x[tile, -3:]`, `x[tile, -6:-2]` were refused though torch reads them; a host int start or end
that was negative at the launch (`x[tile, n1:]`, `x[tile, :n1]`, `x[tile, k:k + 2]`) read the
wrong elements or none. Now a negative literal bound counts from the end, as torch counts it
(lower/slice_bounds.py), and a bound known only at the launch is checked there
(`require(n1 >= 0, ...)`: torch would count it from the end, or clip)."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

ROWS, COLUMNS = 37, 23


def body(value: str, columns: str | None) -> str:
    """Rows of `value` (of `x[tile, ...]`) stored into `out[tile, :]`, or `out[tile]` for a row
    of one number (`columns` None)."""
    if columns is None:
        out, target = "torch.empty([x.size(0)], dtype=x.dtype, device=x.device)", "out[tile]"
    else:
        out = f"torch.empty([x.size(0), {columns}], dtype=x.dtype, device=x.device)"
        target = "out[tile, :]"
    return (
        f"    out = {out}\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        {target} = {value}\n"
        "    return out\n"
    )


NEGATIVE_LITERALS = {
    "drop_last_two_summed": ("x[tile, :-2].sum(-1)", None, lambda x: x[:, :-2].sum(-1)),
    "inner": ("x[tile, 1:-1] * 2", "x.size(1) - 2", lambda x: x[:, 1:-1] * 2),
    "last_three": ("x[tile, -3:]", "3", lambda x: x[:, -3:]),
    "both_negative": ("x[tile, -6:-2] + 1", "4", lambda x: x[:, -6:-2] + 1),
    "begin_plus_length": ("x[tile, -4:-4 + 2].sum(1)", None, lambda x: x[:, -4:-2].sum(1)),
    "minus_written_apart": ("x[tile, 2:-(1 + 2)].amax(-1)", None, lambda x: x[:, 2:-3].amax(-1)),
    "beside_a_column": (
        "x[tile, :-1] - x[tile, -1][:, None]",
        "x.size(1) - 1",
        lambda x: x[:, :-1] - x[:, -1:],
    ),
}


@pytest.mark.parametrize("case", NEGATIVE_LITERALS)
def test_negative_literal_bounds_count_from_the_end(case):
    value, columns, truth = NEGATIVE_LITERALS[case]
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body(value, columns)),
        lambda: [torch.randn(ROWS, COLUMNS, device=DEVICE) * 3],
        truth,
    )


def test_stores_into_slices_with_negative_bounds_compute_as_torch():
    source = kernel(
        "x: torch.Tensor",
        "    out = torch.zeros_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, 1:-1] = x[tile, :-2] + x[tile, 2:]\n"
        "    return out\n",
    )

    def truth(x):
        out = torch.zeros_like(x)
        out[:, 1:-1] = x[:, :-2] + x[:, 2:]
        return out

    assert_computes_as_torch(source, lambda: [torch.randn(ROWS, COLUMNS, device=DEVICE)], truth)


LAUNCH_BOUNDS = {
    "host_start": ("x[tile, n1:].sum(-1)", lambda x, n1: x[:, n1:].sum(-1), 4, -3),
    "host_end": ("x[tile, :n1].sum(-1)", lambda x, n1: x[:, :n1].sum(-1), 5, -3),
    "host_begin_plus_length": (
        "x[tile, n1:n1 + 2].sum(-1)",
        lambda x, n1: x[:, n1 : n1 + 2].sum(-1),
        21,
        -4,
    ),
    "literal_past_the_start": ("x[tile, -30:].sum(-1)", None, None, None),
}


@pytest.mark.parametrize("case", LAUNCH_BOUNDS)
def test_a_bound_negative_at_the_launch_is_refused_there(case):
    """A start or end torch would count from the end (or clip: `-30:` of 23 columns) is a
    RuntimeError at the launch naming the slice; the same kernel with bounds inside the
    dimension computes as torch."""
    value, truth, good, bad = LAUNCH_BOUNDS[case]
    signature = "x: torch.Tensor" if truth is None else "x: torch.Tensor, n1: int"
    source = kernel(signature, body(value, None))
    x = torch.randn(ROWS, COLUMNS, device=DEVICE)
    args = [x] if truth is None else [x, bad]
    spelt = value.split("[tile, ")[1].split("]")[0]
    with pytest.raises(RuntimeError, match=re.escape(f"the slice {spelt} of x must")):
        generated(source, "k", *args)(*args)
    if truth is not None:
        assert_computes_as_torch(
            source, lambda: [torch.randn(ROWS, COLUMNS, device=DEVICE), good], truth
        )
