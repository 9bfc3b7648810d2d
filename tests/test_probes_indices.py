"""User-style probes of integer indices: a negative literal counts from the end as in torch
(`x[tile, -1]` is the last column, in loads and stores), and a literal outside its dimension is
an IndexError at the launch, naming the line, never a read past the tensor."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

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
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_a_negative_literal_index_counts_from_the_end(name, make, truth):
    args = make()
    expected = truth(*[a.double() for a in args])
    result = generated(SOURCE, name, *args)(*[a.clone() for a in args])
    assert_matches(result, expected)


@pytest.mark.parametrize(
    ("name", "args", "words"),
    [
        ("last_two_rows", (torch.randn(1, 8),), "index -2 is out of range for x's dim 0 (1)"),
        ("into_last_column", (torch.randn(2, 3, 2), torch.zeros(2, 3, 2)), "index -3"),
    ],
)
def test_a_literal_index_outside_its_dimension_is_an_index_error(name, args, words):
    with pytest.raises(IndexError, match=words.replace("(", r"\(").replace(")", r"\)")):
        generated(SOURCE, name, *args)(*args)
