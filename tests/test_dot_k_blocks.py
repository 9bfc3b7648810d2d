"""A product's K block below 16 lanes (issue 15): Triton's interpreter runs it, its GPU compiler
does not. A literal is refused at the product with a hint, a block from an argument is checked
at launch, a config's K block rises to 16, and M or N of 8 compile (generated code compiled for
sm_90 by the compile check, tests/conftest.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

import transpiler
from transpiler.compile.frontend.errors import TileArgumentError

LITERAL_K = """\
import helion
import helion.language as hl
import torch


@helion.kernel()
def product(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k, block_size=K_BLOCK):
            acc = SPELLING
        out[tile_m, tile_n] = acc
    return out
"""
SPELLINGS = [
    "hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc)",
    "torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])",
    "acc + x[tile_m, tile_k] @ y[tile_k, tile_n]",
]

ARGUMENT_K = """\
import helion
import helion.language as hl
import torch


@helion.kernel()
def product(x: torch.Tensor, y: torch.Tensor, k_block: int) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n], block_size=[8, 8]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k, block_size=k_block):
            acc = hl.dot(x[tile_m, tile_k], y[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc
    return out
"""


def operands(m: int, k: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = (torch.rand(m, k, dtype=torch.float64) + 0.5).half()
    y = (torch.rand(k, n, dtype=torch.float64) - 1.5).half()
    return x, y


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("k_block", [4, 8])
def test_a_literal_k_block_below_16_is_refused_at_the_product(spelling, k_block):
    source = LITERAL_K.replace("K_BLOCK", str(k_block)).replace("SPELLING", spelling)
    x, y = operands(9, 21, 13)
    with pytest.raises(
        TileArgumentError, match=f"K dimension \\(tile_k\\) has blocks of {k_block}"
    ) as error:
        transpiler.transpile_module(source, example_args={"product": (x, y)})
    assert "block_size=16" in str(error.value)
    assert "<string>:14:" in str(error.value)  # the caret at the product


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_literal_k_block_of_16_runs(spelling):
    source = LITERAL_K.replace("K_BLOCK", "16").replace("SPELLING", spelling)
    x, y = operands(9, 37, 13)
    ours = generated(source, "product", x, y)(x, y)
    assert_matches(ours, x.double() @ y.double(), torch.float16, dots=True)


def test_a_k_block_from_an_argument_is_checked_at_launch():
    x, y = operands(19, 45, 11)
    launcher = generated(ARGUMENT_K, "product", x, y, 16)
    assert_matches(launcher(x, y, 16), x.double() @ y.double(), torch.float16, dots=True)
    assert_matches(launcher(x, y, 32), x.double() @ y.double(), torch.float16, dots=True)
    with pytest.raises(RuntimeError, match="k_block must be at least 16"):
        launcher(x, y, 8)
