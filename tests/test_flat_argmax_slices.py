"""argmax / argmin with no dim of a tile's slice count as torch counts in `x[tile]`: from each
tile's first lane, row major over the slice's own extents (the last tile may be short). Until
2026-12-05 the generated code added each tile's begin and used the whole tensor's extents, an
index into x; reference mode (and torch) gave the slice's."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, reference

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[4]))
def window_argmax(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.int64, device=x.device)
    for tile in hl.tile(3, 7):
        out[tile.id] = x[tile].argmax()
    return out


@helion.kernel(config=helion.Config(block_sizes=[4, 4]))
def block_argmax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.zeros([(m + 3) // 4, (n + 3) // 4], dtype=torch.int64, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m.id, tile_n.id] = torch.argmax(x[tile_m, tile_n])
    return out


@helion.kernel(config=helion.Config(block_sizes=[2]))
def rows_argmin(x: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    out = torch.zeros([(m + 1) // 2], dtype=torch.int64, device=x.device)
    for tile in hl.tile(m):
        out[tile.id] = x[tile, :].argmin()
    return out
"""


def _torch(name: str, x: torch.Tensor) -> torch.Tensor:
    """torch's argmax / argmin of each tile's slice, tile by tile."""
    if name == "window_argmax":
        return torch.tensor([x[3:7].argmax()])
    if name == "rows_argmin":
        return torch.stack([x[i : i + 2].argmin() for i in range(0, x.size(0), 2)])
    m, n = x.shape
    rows = [
        torch.stack([x[i : i + 4, j : j + 4].argmax() for j in range(0, n, 4)])
        for i in range(0, m, 4)
    ]
    return torch.stack(rows)


CASES = [
    ("window_argmax", (20,)),
    ("block_argmax", (13, 10)),  # the last tiles of both dims are short
    ("block_argmax", (8, 12)),
    ("rows_argmin", (9, 7)),
]


@pytest.mark.parametrize(("name", "shape"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
def test_the_index_counts_in_the_tiles_slice(name, shape, dtype):
    x = torch.randn(shape, dtype=torch.float64).to(dtype)
    want = _torch(name, x.double())
    got = generated(SOURCE, name, x, filename="flat_argmax.py")(x)
    assert torch.equal(got, want), (got, want)
    if name == "window_argmax":  # one tile; reference mode runs each loop as one tile
        assert torch.equal(reference(SOURCE, name)(x.clone()), want)
