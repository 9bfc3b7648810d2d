"""`torch.gather` / `Tensor.gather` of a block in a device loop (Triton's tl.gather), against
eager torch and float64, and the shapes it refuses."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

import transpiler
from transpiler.compile.frontend.errors import ShapeError

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def picked_logit(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    out = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        out[tile_n] = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
    return out


@helion.kernel()
def rows_gathered(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty(index.shape, dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :].gather(1, index[tile_m, :]) * 2.0
    return out


@helion.kernel()
def columns_gathered(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tile_n in hl.tile(n):
        out[:, tile_n] = torch.gather(x[:, tile_n], dim=0, index=index[:, tile_n])
    return out


@helion.kernel()
def wrong_rank(x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.gather(x[tile_m, :], 1, labels[tile_m])
    return out
"""


def _cases() -> dict:
    torch.manual_seed(11)
    logits, labels = torch.randn(23, 301) * 4, torch.randint(0, 301, (23,))
    x, rows = torch.randn(19, 37), torch.randint(0, 37, (19, 37))
    cols = torch.randint(0, 19, (19, 37))
    return {
        "picked_logit": ((logits, labels), logits.double().gather(1, labels[:, None])[:, 0]),
        "rows_gathered": ((x, rows), x.double().gather(1, rows) * 2.0),
        "columns_gathered": ((x, cols), x.double().gather(0, cols)),
    }


@pytest.mark.parametrize("name", list(_cases()))
def test_gather_matches_eager_and_float64(name):
    arguments, exact = _cases()[name]
    ours = generated(SOURCE, name, *arguments)(*arguments)
    assert_matches(ours, exact.float(), torch.float32)
    assert_matches(ours, reference(SOURCE, name)(*arguments), torch.float32)


def test_gather_reads_as_tl_gather():
    arguments, _ = _cases()["rows_gathered"]
    code = transpiler.transpile_module(SOURCE, example_args={"rows_gathered": arguments},
                                       only=("rows_gathered",)).code  # fmt: skip
    assert "tl.gather(" in code


def test_an_index_of_another_rank_is_a_shape_error_at_the_index():
    x, labels = torch.randn(5, 9), torch.randint(0, 9, (5,))
    with pytest.raises(ShapeError) as caught:
        transpiler.transpile_module(SOURCE, example_args={"wrong_rank": (x, labels)},
                                    only=("wrong_rank",))  # fmt: skip
    message = str(caught.value)
    assert "input's rank" in message and "[:, None]" in message
