"""User-style probes of reductions kept as size-1 dims and stored (`out[i, :, :] =
v.amax(dim=(0, 1), keepdim=True)`), and of argmax / argmin / max(dim) over tiles that start at
a begin (`hl.tile(3, n)`): the index counts from the tile's first lane, as torch's argmax of
the slice x[tile] does (the compiled kernel added the begin until 2026-12-05)."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, reference

HEADER = """
import helion
import helion.language as hl
import torch
"""


def batched(out_shape: str, store: str, loop: str = "for i in hl.grid(b):") -> str:
    return (
        HEADER
        + f"""
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.zeros({out_shape}, dtype=x.dtype, device=x.device)
    {loop}
        {store}
    return out
"""
    )


# (out's shape, the store, torch's answer): every size-1 dim stored through ':'
KEEPDIM = [
    ("[b, 1, 1]", "out[i, :, :] = x[i, :, :].amax(dim=(0, 1), keepdim=True)",
     lambda x: x.amax(dim=(1, 2), keepdim=True)),
    ("[b, 1, 1]", "out[i, :, :] = x[i, :, :].var(dim=(0, 1), keepdim=True)",
     lambda x: x.var(dim=(1, 2), keepdim=True)),
    ("[b, 1, 1]", "out[i, :, :] += torch.mean(x[i, :, :], dim=[0, 1], keepdim=True)",
     lambda x: x.mean(dim=(1, 2), keepdim=True)),
    ("[b, 1, 1]", "out[i, :, :] = x[i, :, :].sum(dim=-1, keepdim=True).amin(dim=-2, keepdim=True)",
     lambda x: x.sum(-1, keepdim=True).amin(-2, keepdim=True)),
    ("[b, m, 1]", "out[i, :, :] = x[i, :, :].amax(dim=1, keepdim=True)",
     lambda x: x.amax(dim=2, keepdim=True)),
    ("[b, 1, n]", "out[i, 0:1, :] = x[i, :, :].amin(dim=0, keepdim=True)",
     lambda x: x.amin(dim=1, keepdim=True)),
]  # fmt: skip


@pytest.mark.parametrize(("shape", "store", "truth"), KEEPDIM, ids=[r[1][15:50] for r in KEEPDIM])
def test_keepdim_reductions_stored_into_size_one_dims(shape, store, truth):
    """The first four crashed Triton's interpreter before 2026-12-05 (a [1, 1] block stored
    through a one-element pointer)."""
    x = torch.randn(3, 5, 7, dtype=torch.float64)
    source = batched(shape, store)
    got = generated(source, "k", x)(x.clone())
    torch.testing.assert_close(got, truth(x), rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(reference(source, "k")(x.clone()), truth(x), rtol=1e-9, atol=1e-9)


def test_a_whole_matrix_reduced_into_one_element():
    source = (
        HEADER
        + """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([1, 1], dtype=x.dtype, device=x.device)
    for _ in hl.grid(1):
        out[:, :] = torch.amax(x[:, :], dim=(0, 1), keepdim=True)
    return out
"""
    )
    x = torch.randn(7, 9)
    assert torch.equal(generated(source, "k", x)(x), x.amax(dim=(0, 1), keepdim=True))


def tiles_from(begin: int, body: str, out: str = "[m]", dtype: str = "torch.int64") -> str:
    return (
        HEADER
        + f"""
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.full({out}, -99, dtype={dtype}, device=x.device)
    for tile_m in hl.tile(m):
        for tile_n in hl.tile({begin}, n, block_size=512):
            {body}
    return out
"""
    )


# (begin, body, torch on the slice the tile covers)
ARGS = [
    (3, "out[tile_m] = torch.argmax(x[tile_m, tile_n], dim=1)", lambda x: x[:, 3:].argmax(1)),
    (5, "out[tile_m] = x[tile_m, tile_n].argmin(dim=-1)", lambda x: x[:, 5:].argmin(-1)),
    (4, "out[tile_m] = torch.max(x[tile_m, tile_n], dim=1)[1]", lambda x: x[:, 4:].max(1)[1]),
    (2, "out[tile_m] = x[tile_m, tile_n].argmax(dim=1) + tile_n.begin",
     lambda x: x[:, 2:].argmax(1) + 2),
]  # fmt: skip


@pytest.mark.parametrize(("begin", "body", "truth"), ARGS, ids=[r[1][15:45] for r in ARGS])
def test_argmax_over_a_tile_from_a_begin_counts_from_the_tile(begin, body, truth):
    """Silently wrong before 2026-12-05: the compiled kernel added the tile's begin (an index
    into x), reference mode and torch count within the slice."""
    x = torch.randn(7, 301)
    source = tiles_from(begin, body)
    assert torch.equal(generated(source, "k", x)(x), truth(x))
    assert torch.equal(reference(source, "k")(x), truth(x))


def test_argmax_along_rows_from_a_begin_in_a_running_best():
    """Helion's spelling of a row argmax in chunks: the chunk's index plus tile.begin."""
    source = (
        HEADER
        + """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.full([n], -99, dtype=torch.int64, device=x.device)
    for tile_n in hl.tile(n):
        best = hl.full([tile_n], float("-inf"), dtype=torch.float32)
        where = hl.zeros([tile_n], dtype=torch.int64)
        for tile_m in hl.tile(2, m, block_size=16):
            v = x[tile_m, tile_n]
            local = v.amax(dim=0)
            better = local > best
            where = torch.where(better, v.argmax(dim=0) + tile_m.begin, where)
            best = torch.where(better, local, best)
        out[tile_n] = where
    return out
"""
    )
    x = torch.randn(75, 9)
    assert torch.equal(generated(source, "k", x)(x), x[2:].argmax(0) + 2)
