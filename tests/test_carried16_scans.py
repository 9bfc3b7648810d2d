"""torch.cummax / cummin / logcumsumexp along a tile (carried16; refused before with "a tile
holds only part of the row" while torch.cumsum along a tile ran): each restarts at every
tile, as cumsum does, its indices counted from the tile's first lane (torch's, on the tile's
slice). 13 x 37 in blocks of 4 x 8 (the last tiles partial), against torch in float64 on each
tile's slice; each launch compiled for sm_90 too (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

import transpiler

M, N, BM, BN = 13, 37, 4, 8
BLOCKS = "@helion.kernel(config=helion.Config(block_sizes=[4, 8]))"


def per_tile(each):
    """torch's `each` on every 4 x 8 tile's slice of x, put back in place."""

    def truth(x):
        out = torch.empty_like(x)
        for r in range(0, M, BM):
            for c in range(0, N, BN):
                out[r : r + BM, c : c + BN] = each(x[r : r + BM, c : c + BN])
        return out

    return truth


TILES = """    m, n = x.shape
    out = torch.empty([m, n], dtype={dtype}, device=x.device)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = {value}
    return out
"""
CASES = {  # value stored, its dtype, torch on one tile
    "users_cummax_values": (
        "torch.cummax(x[tm, tn], 1).values",
        "x.dtype",
        lambda v: torch.cummax(v, 1).values,
    ),
    "cummin_indices": (
        "x[tm, tn].cummin(dim=1).indices",
        "torch.int64",
        lambda v: v.cummin(dim=1).indices,
    ),
    "cummax_down_rows_plus_values": (
        "torch.cummax(x[tm, tn] * 2, 0)[0] + torch.cummin(x[tm, tn], 0)[0]",
        "x.dtype",
        lambda v: torch.cummax(v * 2, 0)[0] + torch.cummin(v, 0)[0],
    ),
    "logcumsumexp": (
        "torch.logcumsumexp(x[tm, tn], 1)",
        "x.dtype",
        lambda v: torch.logcumsumexp(v, 1),
    ),
    "cumsum_as_before": ("torch.cumsum(x[tm, tn], 1)", "x.dtype", lambda v: v.cumsum(1)),
}


@pytest.mark.parametrize("case", CASES)
def test_running_scans_restart_at_each_tile(case):
    value, dtype, each = CASES[case]
    source = kernel("x: torch.Tensor", TILES.format(value=value, dtype=dtype), BLOCKS)
    assert_computes_as_torch(source, lambda: [signed_rand(M, N).to(DEVICE)], per_tile(each))


def test_a_sort_along_a_tile_stays_refused():
    value = "torch.sort(x[tm, tn], 1).values"
    source = kernel("x: torch.Tensor", TILES.format(value=value, dtype="x.dtype"), BLOCKS)
    with pytest.raises(transpiler.TranspileError, match="orders the whole row"):
        transpiler.transpile(source)
