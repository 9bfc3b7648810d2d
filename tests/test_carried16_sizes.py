"""`len(v)` and `v.numel()` of a loaded block inside a device loop (carried16; refused before):
torch's len is size(0) and numel the product of the sizes, each tile's size as a number being
its lanes inside the tensor (calls.block_size_of: the last tile of 13 rows in blocks of 4
holds 1). Against torch in float64 on the same slices; each launch compiled for sm_90 too."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N, BM, BN = 13, 37, 4, 8
BLOCKS = "@helion.kernel(config=helion.Config(block_sizes=[4, 8]))"


def tiles(size: int, block: int) -> list[slice]:
    return [slice(b, min(b + block, size)) for b in range(0, size, block)]


def per_row_tiles(x, each) -> torch.Tensor:
    """out[rows] = the sum over column tiles of each(x[rows, columns]), row tile by row tile."""
    return torch.cat([sum(each(x[r, c]) for c in tiles(N, BN)) for r in tiles(M, BM)])


ROWS = """    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        acc = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            v = x[tm, tn]
            acc = acc + {update}
        out[tm] = acc
    return out
"""
PER_TILE = """    m, n = x.shape
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tm, tn in hl.tile([m, n]):
        v = x[tm, tn]
        out[tm, tn] = v - v.sum() / {count}
    return out
"""


def tile_means(x, count):
    out = torch.empty_like(x)
    for r in tiles(M, BM):
        for c in tiles(N, BN):
            out[r, c] = x[r, c] - x[r, c].sum() / count(x[r, c])
    return out


CASES = {  # body, truth
    "users_mean_plus_len": (
        ROWS.format(update="v.sum(1) / v.numel() + len(v)"),
        lambda x: per_row_tiles(x, lambda v: v.sum(1) / v.numel() + len(v)),
    ),
    "len_of_a_column": (
        ROWS.format(update="x[tm, 3] * len(x[tm, 3]) + v.sum(1) / len(v)"),
        lambda x: (
            per_row_tiles(x, lambda v: v.sum(1) / len(v))
            + torch.cat([x[r, 3] * len(x[r, 3]) for r in tiles(M, BM)]) * len(tiles(N, BN))
        ),
    ),
    "tile_mean_by_numel": (
        PER_TILE.format(count="v.numel()"),
        lambda x: tile_means(x, lambda v: v.numel()),
    ),
    "tile_mean_by_torch_numel": (
        PER_TILE.format(count="torch.numel(v)"),
        lambda x: tile_means(x, torch.numel),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_len_and_numel_count_the_lanes_inside_the_tensor(case):
    body, truth = CASES[case]
    source = kernel("x: torch.Tensor", body, BLOCKS)
    assert_computes_as_torch(source, lambda: [signed_rand(M, N).to(DEVICE)], truth)
