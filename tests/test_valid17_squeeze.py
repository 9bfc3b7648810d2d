"""Squeeze of a slice of one index (`x[tile, 2:3].squeeze(-1)`): valid torch, the dimension of
size 1 goes as torch's does (it was refused as "storing a 2-D value into a 1-D tile"); float64
torch on odd sizes and strided inputs, each kernel compiled for sm_90 too (conftest). What
squeeze() cannot decide while transpiling (a whole dimension's size, a tile of one lane) is
refused at its line."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference
from test_probes_evaluator2_views import D, r

import transpiler
from transpiler.errors import UnsupportedConstructError

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def squeeze_column(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, 2:3].squeeze(-1) + x[tile_m, 0]
    return out


@helion.kernel()
def squeeze_dim_one(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, 4:5].squeeze(1) * 3
    return out


@helion.kernel()
def squeeze_all(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, 2:3].squeeze() - x[tile_m, 1:2].squeeze(-1)
    return out


@helion.kernel()
def squeeze_middle(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, n], dtype=x.dtype, device=x.device)
    for tile_b, tile_n in hl.tile([b, n]):
        out[tile_b, tile_n] = x[tile_b, 1:2, tile_n].squeeze(1) + x[tile_b, 0, tile_n]
    return out


@helion.kernel()
def squeeze_then_sum(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(b):
        out[tile_b] = x[tile_b, 2:3, :].squeeze(-2).sum(-1)
    return out
"""

REFUSED = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def squeeze_whole(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(b):
        out[tile_b, :] = x[tile_b, :, 1:2].squeeze()
    return out


@helion.kernel()
def squeeze_unit_tile(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m, block_size=1):
        out[tile_m] = x[tile_m, 2:3].squeeze()
    return out
"""


CASES = [
    ("squeeze_column", lambda: (r(13, 7),), lambda x: D(x)[:, 2] + D(x)[:, 0]),
    ("squeeze_column", lambda: (r(7, 37).t(),), lambda x: D(x)[:, 2] + D(x)[:, 0]),
    ("squeeze_dim_one", lambda: (r(29, 5),), lambda x: D(x)[:, 4] * 3),
    ("squeeze_all", lambda: (r(11, 3),), lambda x: D(x)[:, 2] - D(x)[:, 1]),
    ("squeeze_middle", lambda: (r(3, 5, 7),), lambda x: D(x)[:, 1] + D(x)[:, 0]),
    ("squeeze_middle", lambda: (r(7, 3, 5).permute(1, 2, 0),), lambda x: D(x)[:, 1] + D(x)[:, 0]),
    ("squeeze_then_sum", lambda: (r(5, 3, 9),), lambda x: D(x)[:, 2, :].sum(-1)),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_squeeze_of_one_index_computes_as_float64_torch(name, make, truth):
    args = make()
    expected = truth(*args)
    fresh = [a.clone() for a in args]
    result = generated(SOURCE, name, *args)(*args)
    assert result.shape == expected.shape
    assert_matches(result, expected, torch.float32)
    assert_matches(reference(SOURCE, name)(*fresh), expected, torch.float32)


def test_a_slice_past_the_end_is_refused_at_the_launch():
    """x[t, 4:5] of a tensor 4 wide is empty in torch: the launcher refuses, never zeros."""
    args = (r(9, 4),)
    with pytest.raises(RuntimeError, match="must be at least 5"):
        generated(SOURCE, "squeeze_dim_one", *args)(*args)


REFUSALS = [
    ("squeeze_whole", "x[tile_b, :, 1:2].squeeze()", (3, 5, 7), "a whole dimension, whose size"),
    ("squeeze_unit_tile", "x[tile_m, 2:3].squeeze()", (5, 7), "a tile of one lane"),
]


@pytest.mark.parametrize(("name", "text", "shape", "words"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_squeeze_without_a_dim_it_cannot_decide_is_refused_at_its_line(name, text, shape, words):
    line = next(i for i, t in enumerate(REFUSED.splitlines(), 1) if text in t)
    with pytest.raises(UnsupportedConstructError) as raised:
        transpiler.transpile_module(
            REFUSED,
            filename="kernels.py",
            example_args={name: (torch.randn(*shape),)},
            only=(name,),
        )
    assert raised.value.lineno == line
    assert words in str(raised.value) and "squeeze(-1)" in str(raised.value)
