"""`.values` / `.indices` of torch's (values, indices) results (sort, max, cummax, topk) over a
whole row, stored into another tensor's whole row (its size meets the input's: the shape
analysis follows the field, else lowering's one run found what its plan lacked), against
float64."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def sorted_rows(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t, :] = torch.sort(x[t, :], dim=1, descending=True).values * 2
    return out


@helion.kernel()
def argmax_plus_cummax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for t in hl.tile(m):
        best = torch.max(x[t, :], dim=1).indices
        out[t, :] = torch.cummax(x[t, :], 1).values + best[:, None].to(x.dtype)
    return out


@helion.kernel()
def cummin_positions(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    for t in hl.tile(x.size(0)):
        idx[t, :] = torch.cummin(x[t, :], dim=1).indices
    return idx


@helion.kernel()
def sorted_into(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for t in hl.tile(x.size(0)):
        out[t, :] = x[t, :].sort(dim=1).values + 1
    return out


@helion.kernel()
def top_two_positions(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 2], dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t, :] = x[t, :].topk(2, dim=1).indices
    return out
"""

CASES = [
    ("cummin_positions", lambda x: torch.cummin(x, dim=1).indices),
    ("sorted_into", lambda x: x.sort(dim=1).values + 1),
    ("sorted_rows", lambda x: torch.sort(x, dim=1, descending=True).values * 2),
    ("argmax_plus_cummax", lambda x: torch.cummax(x, 1).values + x.argmax(1)[:, None].to(x.dtype)),
    ("top_two_positions", lambda x: x.topk(2, dim=1).indices),
]


@pytest.mark.parametrize(("name", "truth"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("shape", [(7, 16), (33, 5)], ids=str)
def test_a_pairs_field_over_a_whole_row(name, truth, shape):
    x = torch.randperm(shape[0] * shape[1]).reshape(shape).float() / 7 + 0.5  # no ties
    args = (x, torch.empty_like(x, dtype=torch.int64 if "positions" in name else x.dtype))
    args = args if name in ("cummin_positions", "sorted_into") else (x,)
    actual = generated(SOURCE, name, *args)(*args)
    expected = truth(x.double())
    if expected.dtype == torch.int64:
        assert torch.equal(actual, expected)
    else:
        assert_matches(actual, expected, torch.float32)
