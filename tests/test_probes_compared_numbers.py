"""User-style probes of a Python float compared with a half-precision row: torch compares in the
row's dtype (`x == 0.3` holds where x is float16(0.3) = 0.30005), so the number is rounded to
it first (the loaded row is computed in float32, where 0.30005 > 0.3 held and == did not); a
literal no half dtype rounds (0.5, 0.0) stays as written, and ints and floats beside integer
or float32 / float64 rows compare as before."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def above(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.bool, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] > 0.3
    return out


@helion.kernel()
def picked(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        out[tile] = torch.where((v == 0.3) | torch.le(v, -0.7), 1.0, 0.0)
    return out


@helion.kernel()
def inside(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile in hl.tile(m):
        v = x[tile, :]
        out[tile] = ((v >= low) & (v != high) & (v * 2 < 1.4)).sum(-1)
    return out


@helion.kernel()
def at_least(x: torch.Tensor, k) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.bool, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile] >= k) | (x[tile] < -0.3)
    return out
"""

EDGES = [0.3, 0.1, 1 / 3, 0.7, -0.3, -0.7, 2.1, 0.5, 0.0, -1.0]


def edges(dtype: torch.dtype, *shape: int) -> torch.Tensor:
    """The literals' own roundings in `dtype`, beside random values."""
    values = torch.tensor(EDGES, dtype=dtype)
    return torch.cat([values, torch.randn(37).to(dtype)])[: torch.Size(shape).numel()].reshape(
        shape
    )


HALVES = [torch.float16, torch.bfloat16]

CASES = [
    *[("above", (lambda d=d: (edges(d, 41),)), lambda x: x > 0.3) for d in HALVES],
    *[
        (
            "picked",
            (lambda d=d: (edges(d, 43),)),
            lambda x: torch.where((x == 0.3) | (x <= -0.7), 1.0, 0.0),
        )
        for d in HALVES
    ],
    *[
        (
            "inside",
            (lambda d=d: (edges(d, 5, 9), 0.3, 0.7)),
            lambda x, low, high: ((x >= low) & (x != high) & (x * 2 < 1.4)).sum(-1),
        )
        for d in [*HALVES, torch.float32]
    ],
    (
        "at_least",
        lambda: (torch.tensor([16777217, 3, -5, 0, 2**30 + 1], dtype=torch.int32), 16777216),
        lambda x, k: (x >= k) | (x < -0.3),
    ),
    ("at_least", lambda: (edges(torch.float16, 23), 0.1), lambda x, k: (x >= k) | (x < -0.3)),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_a_number_compares_in_the_row_dtype_as_torch(name, make, truth):
    args = make()
    expected = truth(*args)  # torch itself: the comparison's dtype is the point
    result = generated(SOURCE, name, *args)(*args)
    assert torch.equal(result.to(expected.dtype), expected), (args, result, expected)


def test_a_literal_no_half_dtype_rounds_is_written_as_it_is():
    source = SOURCE.replace("x[tile] > 0.3", "x[tile] > 0.5")
    code = transpiler.transpile_module(
        source, example_args={"above": (torch.randn(8),)}, only=("above",)
    ).code
    assert "x_tile > 0.5" in code and "number_as" not in code
