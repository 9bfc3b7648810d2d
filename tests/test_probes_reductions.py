"""User-style probes of reductions over integers: torch sums and multiplies int8/16/32 into
int64 (a sum of int32 values past 2**31 must not wrap), in several spellings."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def row_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.sum(x[tile_m, :], dim=1)
    return out


@helion.kernel()
def row_products(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].prod(-1)
    return out


@helion.kernel()
def column_sums_halved(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype=torch.int64, device=x.device)
    for tile_n in hl.tile(n):
        total = x[:, tile_n].sum(0)
        out[tile_n] = total // 2
    return out


@helion.kernel()
def running_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.cumsum(x[tile_m, :], dim=-1)
    return out


@helion.kernel()
def all_sum(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.int64, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [0], x[tile].sum())
    return out
"""


def big(dtype: torch.dtype, *shape: int) -> torch.Tensor:
    info = torch.iinfo(dtype)
    return torch.randint(info.max // 2, info.max, shape, dtype=dtype)


# (kernel, input, torch's answer): every row sums past the input dtype's range
CASES = [
    ("row_sums", big(torch.int32, 7, 45), lambda x: x.sum(1)),
    ("row_sums", big(torch.int16, 5, 131), lambda x: x.sum(1)),
    ("row_sums", big(torch.int8, 3, 301), lambda x: x.sum(1)),
    ("row_products", torch.randint(2, 9, (6, 37), dtype=torch.int32), lambda x: x.prod(-1)),
    ("column_sums_halved", big(torch.int32, 41, 9), lambda x: x.sum(0) // 2),
    ("running_sums", big(torch.int32, 3, 23), lambda x: x.cumsum(-1)),
    ("all_sum", big(torch.int32, 77), lambda x: x.sum().reshape(1)),
]


@pytest.mark.parametrize(
    ("name", "x", "truth"),
    [pytest.param(*case, id=f"{case[0]}-{case[1].dtype}") for case in CASES],
)
def test_integer_sums_widen_to_int64_as_torch(name, x, truth):
    got = generated(SOURCE, name, x, filename="probes.py")(x)
    expected = truth(x)
    assert got.dtype == expected.dtype and torch.equal(got, expected)
