"""argmin / min(dim) of integer rows holding the dtype's least value: min_index_nan flips the
values to find the least as the greatest, and `-x` overflows there (-(-2**31) is -2**31, so the
least value lost to every other); `~x` flips integers without overflow. Each kernel is checked
on the interpreter against torch and compiled for sm_90. (Integer rows in chunks,
`reduction_loops`, are refused by name.)"""

from __future__ import annotations

import pytest
import torch
from helpers import generated

import transpiler
import transpiler.language as hl

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def row_argmin(x: torch.Tensor) -> torch.Tensor:
    rows, _ = x.shape
    out = torch.empty(rows, dtype=torch.int64, device=x.device)
    for tile in hl.tile(rows):
        out[tile] = torch.argmin(x[tile, :], dim=1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[2]))
def row_min(x: torch.Tensor):
    m, n = x.size()
    least = torch.empty([m], dtype=x.dtype, device=x.device)
    where = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        least[tile_m], where[tile_m] = torch.min(x[tile_m, :], dim=-1)
    return least, where


@helion.kernel()
def column_min(x: torch.Tensor):
    _, n = x.shape
    least = torch.empty(n, dtype=x.dtype, device=x.device)
    where = torch.zeros(n, dtype=torch.long, device=x.device)
    for tile_n in hl.tile(n):
        found = x[:, tile_n].min(dim=0)
        least[tile_n] = found.values
        where[tile_n] = found.indices
    return least, where
"""

DTYPES = [torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64]


def _rows(m: int, n: int, dtype: torch.dtype) -> torch.Tensor:
    """Random rows with the dtype's least and greatest values placed: once, twice (the first
    wins), in the last column, a row of only the least value."""
    info = torch.iinfo(dtype)
    x = torch.randint(max(info.min, -1000), min(info.max, 1000), (m, n), dtype=torch.int64)
    x[0, n // 3] = info.min
    x[1, n - 1] = info.min
    x[2, 2], x[2, n - 2] = info.min, info.min
    x[3, :] = info.min
    x[4, 1] = info.max
    return x.to(dtype)


def _torch(name: str, x: torch.Tensor):
    return {
        "row_argmin": lambda: (x.argmin(1),),
        "row_min": lambda: tuple(torch.min(x, -1)),
        "column_min": lambda: tuple(torch.min(x, 0)),
    }[name]()


@pytest.mark.parametrize(("name", "shape"), [("row_argmin", (7, 29)), ("row_min", (6, 37))])
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_the_least_integer_is_found_first(name, shape, dtype):
    x = _rows(*shape, dtype) if name != "column_min" else _rows(*shape[::-1], dtype).T
    results = generated(SOURCE, name, x, filename="integer_extremes.py")(x)
    results = results if isinstance(results, tuple) else (results,)
    for got, want in zip(results, _torch(name, x), strict=True):
        assert torch.equal(got, want), (name, got, want)


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64, torch.uint8], ids=str)
def test_a_column_of_least_integers(dtype):
    x = _rows(23, 9, dtype).T.contiguous().T  # columns hold the placed values, x is strided
    results = generated(SOURCE, "column_min", x, filename="integer_extremes.py")(x)
    for got, want in zip(results, _torch("column_min", x), strict=True):
        assert torch.equal(got, want), (got, want)


@transpiler.kernel()
def row_argmin_int(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m] = torch.argmin(x[tile_m, :], dim=-1)
    return out


@pytest.mark.parametrize("dtype", [torch.int32, torch.float32], ids=str)
def test_the_gpu_compile_flips_integers_with_not(dtype):
    x = torch.randint(-50, 50, (64, 100)).to(dtype)
    (result,) = row_argmin_int.bind((x,)).compile_for("sm_90")
    ttir = result.asm["ttir"]
    if dtype.is_floating_point:
        assert "arith.negf" in ttir or "arith.subf" in ttir
    else:  # ~x is an xor with -1; no integer negation (0 - x) before the reduce
        assert "arith.xori" in ttir and "arith.subi" not in ttir.split('"tt.reduce"')[0]
