"""User-style probes of several index blocks in one subscript: torch pairs them
(`dense[rows[t], cols[t]]` is one element per lane), the kernel crossed them (a t × t block:
`.sum()` of it summed every row with every column, silently). Loads, `hl.load`, stores and a
diagonal, against float64; blocks viewed apart (`[:, None]`, `[None, :]`) still cross."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

from transpiler.errors import UnsupportedConstructError

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def coo_total(dense: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.float32, device=dense.device)
    for tile in hl.tile(rows.size(0)):
        values = dense[rows[tile], cols[tile]]
        hl.atomic_add(out, [0], values.sum())
    return out


@helion.kernel()
def coo_values(dense: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    out = torch.empty([rows.size(0)], dtype=dense.dtype, device=dense.device)
    for tile in hl.tile(rows.size(0)):
        out[tile] = hl.load(dense, [rows[tile], cols[tile]]) * 2
    return out


@helion.kernel()
def coo_scatter(values: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor, out: torch.Tensor):
    for tile in hl.tile(rows.size(0)):
        out[rows[tile], cols[tile]] = values[tile] + 1
    return out


@helion.kernel()
def diagonal_of_3d(x: torch.Tensor) -> torch.Tensor:
    b, n, _ = x.size()
    out = torch.empty([b, n], dtype=x.dtype, device=x.device)
    for tile_b, tile_n in hl.tile([b, n]):
        out[tile_b, tile_n] = x[tile_b, tile_n.index, tile_n.index]
    return out


@helion.kernel()
def crossed(dense: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    out = torch.empty([rows.size(0), cols.size(0)], dtype=dense.dtype, device=dense.device)
    for tile_r, tile_c in hl.tile([rows.size(0), cols.size(0)]):
        out[tile_r, tile_c] = dense[rows[tile_r][:, None], cols[tile_c][None, :]]
    return out


@helion.kernel()
def rows_by_columns(x: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    out = torch.empty([rows.size(0), cols.size(0)], dtype=x.dtype, device=x.device)
    for tile_r, tile_c in hl.tile([rows.size(0), cols.size(0)]):
        out[tile_r, tile_c] = hl.load(x, [rows[tile_r], cols[tile_c]]) + 1
    return out


@helion.kernel()
def separated(x: torch.Tensor, i: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
    out = torch.empty([i.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile, tile_k in hl.tile([i.size(0), x.size(1)]):
        out[tile, tile_k] = x[i[tile], tile_k, j[tile]]
    return out
"""


def _coordinates(nnz: int, m: int, n: int, dtype=torch.int64):
    return torch.randint(0, m, (nnz,), dtype=dtype), torch.randint(0, n, (nnz,), dtype=dtype)


def _distinct(nnz: int, m: int, n: int):
    flat = torch.randperm(m * n)[:nnz]
    return flat // n, flat % n


CASES = [
    (
        "coo_total",
        lambda: (torch.randn(13, 17), *_coordinates(37, 13, 17)),
        lambda d, r, c: d[r, c].sum().reshape(1),
    ),
    (
        "coo_total",
        lambda: (torch.randn(40, 3).t(), *_coordinates(1001, 3, 40, torch.int32)),
        lambda d, r, c: d[r.long(), c.long()].sum().reshape(1),
    ),
    (
        "coo_values",
        lambda: (torch.randn(13, 17), *_coordinates(127, 13, 17)),
        lambda d, r, c: d[r, c] * 2,
    ),
    (
        "coo_scatter",
        lambda: (torch.randn(41), *_distinct(41, 9, 11), torch.zeros(9, 11)),
        lambda v, r, c, o: o.index_put((r, c), v + 1),
    ),
    ("diagonal_of_3d", lambda: (torch.randn(3, 29, 29),), lambda x: x.diagonal(dim1=1, dim2=2)),
    (
        "crossed",
        lambda: (torch.randn(13, 17), *_coordinates(7, 13, 5)),
        lambda d, r, c: d[r[:, None], c[None, :]],
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_index_blocks_in_one_subscript_are_paired_as_torch_pairs_them(name, make, truth):
    args = make()
    expected = truth(*[a.double() if a.is_floating_point() else a for a in args])
    compiled = generated(SOURCE, name, *args)(*[a.clone() for a in args])
    eager = reference(SOURCE, name)(*[a.clone() for a in args])
    assert_matches(compiled, expected, torch.float32)
    assert_matches(eager, expected, torch.float32)


@pytest.mark.parametrize(("r", "c"), [(7, 5), (33, 19), (6, 6)])
def test_index_blocks_of_different_tiles_cross_as_helion_reads_them(r, c):
    """`hl.load(x, [rows[tile_r], cols[tile_c]])`: one-dimensional index blocks over different
    tiles each keep their dimension (Helion's outer product; torch would need equal lengths)."""
    x = torch.randn(13, 17)
    rows, cols = _coordinates(r, 13, 17)[0], _coordinates(c, 13, 17)[1]
    expected = x.double()[rows[:, None], cols[None, :]] + 1
    assert_matches(
        generated(SOURCE, "rows_by_columns", x, rows, cols)(x, rows, cols), expected, torch.float32
    )


def test_index_blocks_with_a_tile_between_them_are_refused():
    x, i, j = torch.randn(5, 6, 7), torch.randint(0, 5, (9,)), torch.randint(0, 7, (9,))
    with pytest.raises(UnsupportedConstructError, match="separated by a tile") as error:
        generated(SOURCE, "separated", x, i, j)
    assert "hint: put the index blocks next to each other" in str(error.value)
