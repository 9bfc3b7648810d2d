"""Evaluator-style probes of refusals (round 10): `torch.aminmax` in device code, refused as
before, now names the two reductions that work (its hint was "did you mean amin, amax,
clamp_max?"), and they compute as torch's pair."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

PAIR = """    lo = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    hi = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        LINE
        lo[tile] = a
        hi[tile] = b
    return lo, hi
"""

AMINMAX = {  # the caret is under the name
    "unpacked": "a, b = torch.aminmax(x[tile, :], dim=-1)",
    "method_fields": "a, b = x[tile, :].aminmax(dim=1).min, x[tile, :].amax(1)",
    "no_dim": "a = b = torch.aminmax(x[tile, :])[0]",
}


@pytest.mark.parametrize("case", AMINMAX)
def test_aminmax_names_amin_and_amax(case):
    source = kernel("x: torch.Tensor", PAIR.replace("LINE", AMINMAX[case]))
    assert_refused_at(
        source, 12, "aminmax", "'aminmax'", "torch.amin(x, dim) and torch.amax(x, dim)"
    )


def test_amin_and_amax_compute_as_torch_s_aminmax():
    source = kernel(
        "x: torch.Tensor",
        PAIR.replace("LINE", "a, b = torch.amin(x[tile, :], -1), torch.amax(x[tile, :], -1)"),
    )
    assert_computes_as_torch(
        source,
        lambda: [torch.randn(37, 23, device=DEVICE) * 3],
        lambda x: tuple(torch.aminmax(x, dim=-1)),
    )
