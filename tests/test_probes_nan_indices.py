"""User-style probes of argmax / argmin / max(dim) / min(dim) over rows holding NaN: torch picks
the first NaN (its index; the value NaN). tl.argmax compares with `>` (Triton's
`_argmax_combine`), so on a GPU a NaN won or lost by where the reduction tree met it; Triton's
interpreter runs numpy's argmax instead, which picks it: CPU runs could not show the bug. Our
argmax_nan / max_index_nan reduce with a NaN-aware combine (emit/prelude_extremes.py); here
that combine is checked in every tree order, the interpreter runs it (its generic reduce calls
the same function), and the sm_90 TTIR shows it is the combine compiled."""

from __future__ import annotations

import random
import re

import pytest
import torch
from helpers import device_args, generated

import transpiler
import transpiler.language as hl
from transpiler.compile.emit.prelude_extremes import EXTREME_HELPERS

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def row_arg(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    rows = x.size(0)
    high = torch.zeros(rows, dtype=torch.long, device=x.device)
    low = torch.full((rows,), -1, dtype=torch.long, device=x.device)
    for tile in hl.tile(rows):
        high[tile] = torch.argmax(x[tile, :], dim=-1)
        low[tile] = x[tile, :].argmin(dim=1)
    return high, low


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[16]))
def looped_max_and_min(x: torch.Tensor):
    m, n = x.size()
    top = torch.empty([m], dtype=x.dtype, device=x.device)
    where_top = torch.empty([m], dtype=torch.int64, device=x.device)
    bottom = torch.empty([m], dtype=x.dtype, device=x.device)
    where_bottom = torch.empty([m], dtype=torch.int64, device=x.device)
    high = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        top[tile_m], where_top[tile_m] = torch.max(x[tile_m, :], dim=1)
        worst = x[tile_m, :].min(dim=-1)
        bottom[tile_m] = worst.values
        where_bottom[tile_m] = worst.indices
        high[tile_m] = torch.argmax(x[tile_m, :], dim=-1)
    return top, where_top, bottom, where_bottom, high


@helion.kernel()
def column_max(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    _, n = x.shape
    top = torch.empty(n, dtype=x.dtype, device=x.device)
    where = torch.zeros(n, dtype=torch.long, device=x.device)
    for tile_n in hl.tile(n):
        best = torch.max(x[:, tile_n], dim=0)
        top[tile_n] = best[0]
        where[tile_n] = best[1]
    return top, where


@helion.kernel()
def flat_argmax(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(x.size(0), block_size=8):  # one tile of the 8 rows
        out[tile_m.id] = x[tile_m, :].argmax()
    return out
"""

NAN = float("nan")


def _rows(m: int, n: int, dtype: torch.dtype) -> torch.Tensor:
    """Random rows: NaN at one place, at two (the first wins), in the last column, beside -inf
    and inf, a row of NaN only; some rows without."""
    x = torch.randn(m, n, dtype=torch.float64)
    x[1, n // 3] = NAN
    x[2, n - 1], x[2, 5] = NAN, NAN
    x[3, 0] = NAN
    x[4, :] = torch.inf
    x[4, n // 2] = NAN
    x[5, :] = -torch.inf
    x[5, n - 2] = NAN
    x[6, :] = NAN
    return x.to(dtype)


def _torch(name: str, x: torch.Tensor):
    return {
        "row_arg": lambda: (x.argmax(-1), x.argmin(1)),
        "looped_max_and_min": lambda: (*torch.max(x, 1), *torch.min(x, -1), x.argmax(-1)),
        "column_max": lambda: tuple(torch.max(x, 0)),
    }[name]()


@pytest.mark.parametrize(
    ("name", "shape"),
    [("row_arg", (9, 37)), ("looped_max_and_min", (8, 83)), ("column_max", (11, 7))],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.float64], ids=str)
def test_the_first_nan_is_picked_as_torch_picks_it(name, shape, dtype):
    x = _rows(*shape, dtype) if name != "column_max" else _rows(*shape[::-1], dtype).T
    results = generated(SOURCE, name, x, filename="nan_indices.py")(x)
    for got, want in zip(results, _torch(name, x.double()), strict=True):
        if want.dtype == torch.int64:
            assert torch.equal(got, want), (got, want)
        else:
            torch.testing.assert_close(got.double(), want, rtol=0, atol=0, equal_nan=True)


def test_argmax_of_a_tile_with_no_dim():
    x = torch.randn(8, 16)
    x[3, 9], x[5, 2] = NAN, NAN
    result = generated(SOURCE, "flat_argmax", x, filename="nan_indices.py")(x)
    assert result.item() == x.argmax().item() == 3 * 16 + 9


def _combine():
    """The helper's combine function run on torch tensors (`tl.where` is torch.where)."""
    source = EXTREME_HELPERS["max_index_nan"][0]
    namespace = {"triton": type("T", (), {"jit": staticmethod(lambda f: f)}), "tl": torch}
    exec(source, namespace)  # noqa: S102 - our own helper's text
    return namespace["first_greatest"]


@pytest.mark.parametrize("name", ["max", "min"])
def test_the_combine_gives_torchs_answer_in_every_tree_order(name):
    """A GPU reduces in a tree of its own order: each order must give torch's answer (min:
    max_index_nan of the negated values, as min_index_nan computes it)."""
    combine, rng = _combine(), random.Random(5)
    for _ in range(300):
        n = rng.randint(1, 12)
        values = torch.tensor([rng.choice([NAN, 1.0, 2.0, -1.0, torch.inf]) for _ in range(n)])
        want = values.argmax() if name == "max" else values.argmin()
        reduced = values if name == "max" else -values
        items = [(reduced[i], torch.tensor(i)) for i in range(n)]
        while len(items) > 1:  # combine a random neighbouring pair, in either order
            i = rng.randrange(len(items) - 1)
            left, right = items[i], items[i + 1]
            if rng.random() < 0.5:
                left, right = right, left
            items[i : i + 2] = [combine(*left, *right)]
        assert items[0][1].item() == want.item(), (values, items[0], want)


@transpiler.kernel()
def row_argmax(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m] = torch.argmax(x[tile_m, :], dim=-1)
    return out


def test_the_gpu_compile_reduces_with_the_nan_aware_combine():
    (result,) = row_argmax.bind(device_args((torch.randn(64, 100),))).compile_for("sm_90")
    ttir = result.asm["ttir"]
    reduce = ttir[ttir.index('"tt.reduce"') :]
    assert re.search(r"arith\.cmpf une", reduce), reduce[:2000]  # the NaN test: x != x
    assert "arith.cmpf ogt" in reduce and "arith.cmpi slt" in reduce  # greater; the first
