"""User-style probes of integer indices: a negative literal counts from the end as in torch
(`x[tile, -1]` is the last column, in loads and stores), and a literal outside its dimension is
an IndexError at the launch, naming the line, never a read past the tensor. An index known only
at run time counts from the end too: an argument (`x[tile, j]`, j = -1; outside the dimension,
an IndexError at the launch), an element of a tensor (`x[tile, which[0]]`), a gather's indices
(`x[idx[tile], :]`), a grid index less one (`x[i - 1, tile]` at i = 0)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def last_minus_first(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        out[tile] = x[tile, -1] - x[tile, 0]
    return out


@helion.kernel()
def last_two_rows(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(1)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(1)):
        out[tile] = x[-1, tile] * 2 + x[-2, tile]
    return out


@helion.kernel()
def column(x: torch.Tensor, j: int) -> torch.Tensor:
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, j]
    return out


@helion.kernel()
def column_named_by_a_tensor(x: torch.Tensor, which: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, which[0]] * 2
    return out


@helion.kernel()
def gathered_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([idx.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile_i, tile_n in hl.tile([idx.size(0), x.size(1)]):
        out[tile_i, tile_n] = x[idx[tile_i], tile_n]
    return out


@helion.kernel()
def previous_row(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for i in hl.grid(x.size(0)):
        for tile in hl.tile(x.size(1)):
            out[i, tile] = x[i - 1, tile] - x[i, tile]
    return out


@helion.kernel()
def into_column(x: torch.Tensor, out: torch.Tensor, j: int) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        out[tile, j] = x[tile] + 1.0
    return out


@helion.kernel()
def into_last_column(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile_b, tile_m in hl.tile([x.size(0), x.size(1)]):
        out[tile_b, tile_m, -1] = x[tile_b, tile_m, -3] + 1.0
    return out
"""

# (kernel, arguments, torch's answer): odd sizes, the last index never the first
CASES = [
    ("last_minus_first", lambda: (torch.randn(17, 9),), lambda x: x[:, -1] - x[:, 0]),
    ("last_minus_first", lambda: (torch.randn(1000, 3).t(),), lambda x: x[:, -1] - x[:, 0]),
    ("last_minus_first", lambda: (torch.randn(5, 1),), lambda x: x[:, -1] - x[:, 0]),
    ("last_two_rows", lambda: (torch.randn(6, 33),), lambda x: x[-1] * 2 + x[-2]),
    (
        "into_last_column",
        lambda: (torch.randn(3, 5, 7), torch.zeros(3, 5, 4)),
        lambda x, out: torch.cat([out[..., :-1], x[..., -3:-2] + 1.0], -1),
    ),
    ("column", lambda: (torch.randn(19, 7), -1), lambda x, j: x[:, j]),
    ("column", lambda: (torch.randn(19, 7), -7), lambda x, j: x[:, j]),
    ("column", lambda: (torch.randn(19, 7), 6), lambda x, j: x[:, j]),
    (
        "column_named_by_a_tensor",
        lambda: (torch.randn(11, 5), torch.tensor([-2, 1])),
        lambda x, which: x[:, int(which[0])] * 2,
    ),
    (
        "gathered_rows",
        lambda: (torch.randn(13, 9), torch.tensor([-1, 0, 5, -13, 12, -7, 3])),
        lambda x, idx: x[idx],
    ),
    ("previous_row", lambda: (torch.randn(9, 21),), lambda x: x.roll(1, 0) - x),
    (
        "into_column",
        lambda: (torch.randn(15), torch.zeros(15, 4), -3),
        lambda x, out, j: torch.cat([out[:, :1], (x + 1.0)[:, None], out[:, 2:]], 1),
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_a_negative_literal_index_counts_from_the_end(name, make, truth):
    args = make()
    floats = [
        a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args
    ]
    expected = truth(*floats)
    result = generated(SOURCE, name, *args)(
        *[a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    )
    assert_matches(result, expected)


@pytest.mark.parametrize(
    ("name", "args", "words"),
    [
        ("last_two_rows", (torch.randn(1, 8),), "index -2 is out of range for x's dim 0 (1)"),
        ("into_last_column", (torch.randn(2, 3, 2), torch.zeros(2, 3, 2)), "index -3"),
        ("column", (torch.randn(5, 3), 3), "line 28: index 3 is out of range for x's dim 1 (3)"),
        ("column", (torch.randn(5, 3), -4), "index -4 is out of range for x's dim 1"),
        ("into_column", (torch.randn(5), torch.zeros(5, 2), -3), "index -3 is out of range"),
    ],
)
def test_an_index_outside_its_dimension_is_an_index_error(name, args, words):
    with pytest.raises(IndexError, match=words.replace("(", r"\(").replace(")", r"\)")):
        generated(SOURCE, name, *args)(*args)


INDEX_TENSORS = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([idx.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        out[tile, :] = x[idx[tile], :]
    return out


@helion.kernel()
def columns(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), idx.size(0)], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([x.size(0), idx.size(0)]):
        out[tile_m, tile_n] = x[tile_m, idx[tile_n]]
    return out


@helion.kernel()
def scatter_doubled(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for i in hl.grid(idx.size(0)):
        out[idx[i]] = x[idx[i]] * 2
    return out


@helion.kernel(check_indices=False)
def unchecked_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([idx.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        out[tile, :] = x[idx[tile], :]
    return out
"""


def _scattered(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    out[idx] = x[idx] * 2
    return out


# (kernel, x, an index tensor inside x's dim, one with a value outside it, torch's answer)
INDEXED = [
    ("rows", torch.randn(10, 7), torch.tensor([3, -10, 9, 0]), torch.tensor([1, 10]), lambda x, i: x[i]),
    ("rows", torch.randn(10, 7), torch.tensor([2, -1], dtype=torch.int32), torch.tensor([-11]), lambda x, i: x[i]),
    ("columns", torch.randn(5, 7), torch.tensor([0, 6, -7]), torch.tensor([0, 7, 2]), lambda x, i: x[:, i]),
    ("scatter_doubled", torch.randn(9), torch.tensor([0, 8, -9]), torch.tensor([0, 9]), _scattered),
]  # fmt: skip


@pytest.mark.parametrize(("name", "x", "inside", "outside", "truth"), INDEXED)
def test_an_index_tensor_outside_the_dimension_it_indexes_is_an_index_error(
    name, x, inside, outside, truth
):
    """Silently wrong before 2026-12-05: an argument's values indexing unchanged read (or
    wrote) past the tensor where torch raises IndexError; the launcher checks them (one
    torch.aminmax), `check_indices=False` skips it. Indices the kernel computes (idx + 1) are
    not checked: the host never sees them (docs/language.md)."""
    kernel = generated(INDEX_TENSORS, name, x, inside)
    assert_matches(kernel(x.clone(), inside), truth(x, inside))
    with pytest.raises(IndexError, match=r"line \d+: a value of idx is out of range for"):
        kernel(x.clone(), outside)
    with pytest.raises(IndexError):
        truth(x, outside)


def test_check_indices_false_skips_the_check():
    x, idx = torch.randn(10, 7), torch.tensor([4, 0, -3])
    for name, checks in (("rows", 1), ("scatter_doubled", 2), ("unchecked_rows", 0)):
        module = transpiler.transpile_module(INDEX_TENSORS, only=(name,)).code
        assert module.count("if not indices_inside(idx, ") == checks  # scatter: x and out
    assert_matches(generated(INDEX_TENSORS, "unchecked_rows", x, idx)(x, idx), x[idx])
