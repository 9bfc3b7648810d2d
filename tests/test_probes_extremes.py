"""User-style probes of max / min reductions at their edges: a NaN in a row was dropped
(`x[tile, :].amax(-1)` of [1, nan, 3] gave 3; torch: nan), on the GPU as in the interpreter; a
row of no elements gave -inf where torch raises IndexError (no identity to give)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, assert_matches, generated

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def row_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].amax(-1)
    return out


@helion.kernel()
def column_min(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype=x.dtype, device=x.device)
    for tile_n in hl.tile(n):
        out[tile_n] = torch.amin(x[:, tile_n], dim=0)
    return out


@helion.kernel()
def max_and_where(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    values = torch.empty([m], dtype=x.dtype, device=x.device)
    indices = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        best, where = torch.max(x[tile_m, :], dim=1)
        values[tile_m] = best
        indices[tile_m] = where
    return values, indices


@helion.kernel()
def spread(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        out[tile_m] = row.max(dim=-1).values - row.min(dim=-1).values
    return out


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def looped_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].amax(dim=-1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def looped_softmax_and_max(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    out = torch.empty_like(x)
    top = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        row_top = row.amax(dim=-1)
        out[tile_m, :] = torch.exp(row - row_top[:, None]) / torch.exp(
            row - row_top[:, None]
        ).sum(-1, keepdim=True)
        top[tile_m] = row_top
    return out, top


@helion.kernel()
def row_argmax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.argmax(x[tile_m, :], dim=-1)
    return out
"""

NAN = float("nan")


def _with_nans(rows: int, columns: int, dtype=torch.float32) -> torch.Tensor:
    """Rows of random values, some holding a NaN at odd places (one at a row's last column),
    some none, and one of -inf and inf with a NaN."""
    x = torch.randn(rows, columns, dtype=torch.float64)
    x[1, columns // 3] = NAN
    x[3, columns - 1] = NAN
    x[4, 0] = -torch.inf
    x[4, 2] = NAN
    x[rows - 1, :] = torch.inf
    x[rows - 1, columns // 2] = NAN
    return x.to(dtype).to(DEVICE)


def _torch(name: str):
    return {
        "row_max": lambda x: x.amax(-1),
        "column_min": lambda x: x.amin(0),
        "max_and_where": lambda x: tuple(torch.max(x, dim=1)),
        "spread": lambda x: x.max(-1).values - x.min(-1).values,
        "looped_max": lambda x: x.amax(-1),
        "looped_softmax_and_max": lambda x: (torch.softmax(x, -1), x.amax(-1)),
    }[name]


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        ("row_max", (7, 37)),
        ("column_min", (9, 7)),  # along dim 0
        ("max_and_where", (6, 33)),
        ("spread", (8, 45)),
        ("looped_max", (6, 301)),  # a row walked in chunks of 64
        ("looped_softmax_and_max", (6, 301)),
    ],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.float64], ids=str)
def test_a_nan_in_a_row_is_kept_as_torch_keeps_it(name, shape, dtype):
    x = _with_nans(*shape, dtype=dtype) if name != "column_min" else _with_nans(*shape[::-1]).T
    x = x.to(dtype)
    result = generated(SOURCE, name, x, filename="extremes.py")(x)
    expected = _torch(name)(x.cpu().double())
    results = result if isinstance(result, tuple) else (result,)
    expecteds = expected if isinstance(expected, tuple) else (expected,)
    for got, want in zip(results, expecteds, strict=True):
        if want.dtype == torch.int64:
            assert torch.equal(got, want), (got, want)
        else:
            assert_matches(got, want, dtype=dtype)
    assert results[0].isnan().any()


@pytest.mark.parametrize(
    "dtype", [torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64], ids=str
)
@pytest.mark.parametrize("name", ["row_max", "column_min", "spread"])
def test_integer_extremes_are_exact(name, dtype):
    info = torch.iinfo(dtype)
    x = torch.randint(max(info.min, -1000), min(info.max, 1000), (9, 41), dtype=dtype)
    x[2, 5], x[3, 40] = info.max, info.min
    x = x.to(DEVICE)
    expected = _torch(name)(x.cpu()) if name != "spread" else None
    result = generated(SOURCE, name, x, filename="extremes.py")(x)
    if expected is None:  # in the int dtype torch wraps, as the kernel does
        expected = x.cpu().max(-1).values - x.cpu().min(-1).values
    assert torch.equal(result, expected), (result, expected)


@pytest.mark.parametrize(
    ("name", "shape", "raised"),
    [
        ("row_max", (5, 0), "amax"),
        ("max_and_where", (3, 0), "max"),
        ("spread", (4, 0), "max"),
        ("row_argmax", (6, 0), "argmax"),
        ("column_min", (0, 4), "amin"),
    ],
)
def test_an_extreme_of_no_elements_raises_as_torch(name, shape, raised):
    x = torch.randn(*shape, device=DEVICE)
    with pytest.raises(IndexError, match=f"{raised}\\(\\) along a dimension of size 0"):
        generated(SOURCE, name, x, filename="extremes.py")(x)
    with pytest.raises(IndexError):  # torch's own
        getattr(torch, raised)(x, dim=-1 if name != "column_min" else 0)


@pytest.mark.parametrize(("name", "shape"), [("row_max", (0, 5)), ("column_min", (4, 0))])
def test_no_rows_to_reduce_give_an_empty_result(name, shape):
    x = torch.randn(*shape, device=DEVICE)
    result = generated(SOURCE, name, x, filename="extremes.py")(x)
    assert result.shape == _torch(name)(x.cpu()).shape
