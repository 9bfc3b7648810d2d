"""Allocations whose sizes are sums (`torch.empty([a + b, n])`) and Helion's function spellings
of tile attributes (`hl.tile_index(tile)`)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

import transpiler

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def stack_rows(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0) + y.size(0), x.size(1)], dtype=x.dtype, device=x.device)
    for tile_r, tile_c in hl.tile(out.size()):
        rows = hl.tile_index(tile_r)
        top = hl.load(x, [tile_r, tile_c], extra_mask=(rows < x.size(0))[:, None])
        bottom = hl.load(y, [rows - x.size(0), tile_c], extra_mask=(rows >= x.size(0))[:, None])
        out[tile_r, tile_c] = torch.where((rows < x.size(0))[:, None], top, bottom)
    return out


@helion.kernel()
def doubled(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros(x.size(0) * 2, dtype=torch.float32, device=x.device)
    for tile in hl.tile(out.size()):
        index = hl.tile_index(tile)
        inside = hl.tile_end(tile) - hl.tile_begin(tile) <= hl.tile_block_size(tile)
        value = hl.load(x, [index // 2], extra_mask=index < x.size(0) * 2)
        out[tile] = value + hl.tile_id(tile) * 0 + (index - index) * inside
    return out
"""


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def test_a_summed_size_gives_the_rank_and_its_own_size():
    code = transpiler.transpile(SOURCE.split("@helion.kernel()\ndef doubled")[0])
    assert "for tile_r, tile_c in hl.tile(out.size()):" in code  # no RankUnknownError
    assert "out_size_0" in code and "tile_r_indices" not in code
    assert "rows = offs_r" in code  # hl.tile_index(tile_r) is tile_r.index
    # the extra masks keep the tiles inside x and y: no size checks against out's rows
    assert "x.size(0) must be at least" not in code


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize("rows", [(37, 20), (1, 1), (64, 3)], ids=str)
def test_stacked_rows_match_torch_cat(rows, dtype):
    x, y = rand(rows[0], 45, dtype=dtype), rand(rows[1], 45, dtype=dtype)
    actual = generated(SOURCE, "stack_rows", x, y)(x, y)
    assert_matches(actual, torch.cat([x.double(), y.double()]), dtype)
    assert_matches(actual, reference(SOURCE, "stack_rows")(x.clone(), y.clone()), dtype)


@pytest.mark.parametrize("n", [1, 37, 600])
def test_tile_functions_match_the_attributes(n):
    x = rand(n)
    actual = generated(SOURCE, "doubled", x)(x)
    assert_matches(actual, x.double().repeat_interleave(2))
    assert_matches(actual, reference(SOURCE, "doubled")(x.clone()))


def test_tile_functions_take_one_tile():
    source = SOURCE.replace("hl.tile_index(tile)", "hl.tile_index(x)")
    with pytest.raises(
        transpiler.compile.frontend.errors.UnsupportedConstructError, match="takes one tile"
    ):
        transpiler.transpile(source)
