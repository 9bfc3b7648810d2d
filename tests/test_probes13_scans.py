"""Evaluator-style probes (round 13) of `hl.associative_scan` and `hl.reduce` with the user's
combine functions: reverse scans (one block, tuples of a float and an int block, along dim 0,
along a tile), and the combine-function spellings around them (negative dims, int blocks,
reductions without `other=` over int and bool blocks, tuples). Each against torch in float64 (or
exactly), and reverse scans of whole rows also against reference mode; each kernel compiled
for sm_90 (conftest).

Found in round 13: `hl.associative_scan(fn, x[tile, :], dim=1, reverse=True)` was refused
("a reverse scan along a tile") on a whole row as well as along a tile: the padded lanes past
the row's end come first in a reverse scan, and no identity of the user's function is known to
fill them with. Now each input goes beside a flag saying whether its lane lies inside, and the
combine keeps the inside operand where only one is (reduce_inside.py, as hl.reduce without
other= does), so the lanes past the end take no part, for any associative function."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, reference
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 21
T = "x: torch.Tensor"
ROWS = "    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm in hl.tile(m):\n        out[tm, :] = {}\n    return out\n"


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def ints(*shape):
    values = torch.randint(-50, 50, shape, device=DEVICE, dtype=torch.int32)
    values[values == 0] = 7
    return values


def flipped(scan):
    """torch's reverse scan along dim 1: the scan of the flipped row, flipped back."""
    return lambda x: scan(x.flip(1)).flip(1)


def tiles_of(width, scan):
    """A scan along a tile: it restarts at each tile of `width` columns."""
    return lambda x: torch.cat([scan(x[:, i : i + width]) for i in range(0, x.size(1), width)], 1)


REVERSE = {  # a reverse scan: body, arguments, truth
    "sum": (ROWS.format("hl.associative_scan(lambda a, b: a + b, x[tm, :], dim=1, reverse=True)"), lambda: [floats(M, N)], flipped(lambda x: x.cumsum(1))),
    "max_of_negatives": (ROWS.format("hl.associative_scan(lambda a, b: torch.maximum(a, b), x[tm, :] - 20, dim=1, reverse=True)"), lambda: [floats(M, N)], flipped(lambda x: (x - 20).cummax(1).values)),
    "product_negative_dim": (ROWS.format("hl.associative_scan(lambda a, b: a * b, x[tm, :] * 0.1 + 1, dim=-1, reverse=True)"), lambda: [floats(M, N)], flipped(lambda x: (x * 0.1 + 1).cumprod(1))),
    "int_min_of_positives": (ROWS.format("hl.associative_scan(lambda a, b: torch.minimum(a, b), x[tm, :] + 100, dim=1, reverse=True)"), lambda: [ints(M, N)], flipped(lambda x: (x + 100).cummin(1).values)),
    "tuple_min_and_count": ("    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm in hl.tile(m):\n        v = x[tm, :] + 50\n        c = hl.zeros([tm, n], dtype=torch.int32) + 1\n        s, k = hl.associative_scan(lambda a, ka, b, kb: (torch.minimum(a, b), ka + kb), (v, c), dim=1, reverse=True)\n        out[tm, :] = s * 100 + k\n    return out\n", lambda: [floats(M, N)], lambda x: flipped(lambda x: (x + 50).cummin(1).values)(x) * 100 + torch.arange(N, 0, -1)),
    "dim_0": ("    m, n = x.shape\n    out = torch.empty_like(x)\n    for tn in hl.tile(n):\n        out[:, tn] = hl.associative_scan(lambda a, b: torch.maximum(a, b), x[:, tn] - 20, dim=0, reverse=True)\n    return out\n", lambda: [floats(M, N)], lambda x: (x - 20).flip(0).cummax(0).values.flip(0)),
    "along_a_tile": ("    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm, tn in hl.tile([m, n], block_size=[4, 8]):\n        out[tm, tn] = hl.associative_scan(lambda a, b: torch.minimum(a, b), x[tm, tn] + 20, dim=1, reverse=True)\n    return out\n", lambda: [floats(M, N)], tiles_of(8, flipped(lambda x: (x + 20).cummin(1).values))),
}  # fmt: skip


@pytest.mark.parametrize("name", REVERSE)
def test_a_reverse_scan_leaves_the_lanes_past_the_end_out(name):
    body, make, truth = REVERSE[name]
    assert_computes_as_torch(kernel(T, body), make, truth)


@pytest.mark.parametrize("name", ["max_of_negatives", "tuple_min_and_count"])
def test_a_reverse_scan_of_a_whole_row_agrees_with_reference_mode(name):
    body, make, _ = REVERSE[name]
    source = kernel(T, body)
    x = make()[0]
    got = generated(source, "k", x)(x.clone())
    torch.testing.assert_close(got, reference(source, "k")(x.clone()), rtol=1e-5, atol=1e-5)


SCANS = {  # combine-function spellings around them: body, arguments, truth
    "forward_max_negative_dim": (ROWS.format("hl.associative_scan(lambda a, b: torch.maximum(a, b), x[tm, :] - 20, dim=-1)"), lambda: [floats(M, N)], lambda x: (x - 20).cummax(1).values),
    "forward_tuple_int_float": ("    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm in hl.tile(m):\n        v = x[tm, :]\n        c = (v > 0).to(torch.int32)\n        s, k = hl.associative_scan(lambda a, ka, b, kb: (a + b, ka + kb), (v, c), dim=1)\n        out[tm, :] = s + k * 1000\n    return out\n", lambda: [floats(M, N)], lambda x: x.cumsum(1) + (x > 0).long().cumsum(1) * 1000),
    "reduce_int_max_without_other": ("    m, n = x.shape\n    out = torch.empty([m], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n        out[tm] = hl.reduce(lambda a, b: torch.maximum(a, b), x[tm, :] - 100, dim=1)\n    return out\n", lambda: [ints(M, N)], lambda x: (x - 100).amax(1)),
    "reduce_bool_and": ("    m, n = x.shape\n    out = torch.empty([m], dtype=torch.bool, device=x.device)\n    for tm in hl.tile(m):\n        out[tm] = hl.reduce(lambda a, b: a & b, x[tm, :] > -5, dim=1)\n    return out\n", lambda: [floats(M, N)], lambda x: (x > -5).all(1)),
    "reduce_min_dim_0": ("    m, n = x.shape\n    out = torch.empty([n], dtype=x.dtype, device=x.device)\n    for tn in hl.tile(n):\n        out[tn] = hl.reduce(lambda a, b: torch.minimum(a, b), x[:, tn] + 20, dim=0)\n    return out\n", lambda: [floats(M, N)], lambda x: (x + 20).amin(0)),
}  # fmt: skip


@pytest.mark.parametrize("name", SCANS)
def test_combine_functions_compute_as_torch(name):
    body, make, truth = SCANS[name]
    assert_computes_as_torch(kernel(T, body), make, truth)
