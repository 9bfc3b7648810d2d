"""One element per row (`torch.gather(row, 1, labels[:, None])`) of an element-wise function of
loads along the row is one load per row (lower/lane_loads.py), whole or looped rows, against
float64; values that are no such function keep the masked sum."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, load_module, on_device

import transpiler

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def plain_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    n, v = logits.shape
    losses = torch.empty([n], dtype=torch.float32, device=logits.device)
    for tile_n in hl.tile(n, block_size=1):
        row = logits[tile_n, :].float()
        lse = torch.logsumexp(row, dim=-1)
        target = torch.gather(row, 1, labels[tile_n][:, None]).squeeze(1)
        losses[tile_n] = lse - target
    return losses


@helion.kernel()
def scaled_pick(x: torch.Tensor, w: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        scaled = x[tile_m, :].to(torch.float32) * w[None, :] + 0.5
        picked = scaled.gather(1, index[tile_m][:, None]).squeeze(1)
        out[tile_m] = picked * torch.sum(scaled, dim=1)
    return out


@helion.kernel()
def picked_probability(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].float()
        probabilities = torch.exp(row - torch.amax(row, dim=1, keepdim=True))
        out[tile_m] = torch.gather(probabilities, 1, index[tile_m][:, None]).squeeze(1)
    return out
"""

WIDTHS = (3001, 12345, 32000)
LOOPS = ([None], [1024], [4096])


def _arguments(name: str, width: int) -> tuple[tuple, torch.Tensor]:
    """The kernel's inputs (5 rows; no zeros) and its float64 result."""
    rows = 5
    x = torch.randn(rows, width) * 3 + 0.25
    index = torch.randint(0, width, (rows,))
    exact_x = x.double()
    if name == "plain_loss":
        picked = exact_x.gather(1, index[:, None])[:, 0]
        return (x, index), torch.logsumexp(exact_x, dim=1) - picked
    if name == "scaled_pick":
        w = torch.rand(width) + 0.5
        scaled = exact_x * w.double()[None, :] + 0.5
        return (x, w, index), scaled.gather(1, index[:, None])[:, 0] * scaled.sum(dim=1)
    probabilities = torch.exp(exact_x - exact_x.amax(dim=1, keepdim=True))
    return (x, index), probabilities.gather(1, index[:, None])[:, 0]


def _code(name: str, arguments: tuple, loops: list) -> str:
    return transpiler.transpile_module(
        SOURCE, example_args={name: arguments}, only=(name,), config={"reduction_loops": loops}
    ).code


@pytest.mark.parametrize("loops", LOOPS, ids=["whole", "chunks_1024", "chunks_4096"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["plain_loss", "scaled_pick", "picked_probability"])
def test_one_lane_per_row_matches_float64(name, width, loops):
    torch.manual_seed(width + len(name))
    arguments, exact = _arguments(name, width)
    code = _code(name, arguments, loops)
    result = on_device(getattr(load_module(code, stem=f"lanes_{name}"), name))(*arguments)
    assert_matches(result, exact, torch.float32)


@pytest.mark.parametrize("loops", LOOPS[:2], ids=["whole", "chunks"])
@pytest.mark.parametrize("name", ["plain_loss", "scaled_pick"])
def test_an_element_wise_row_is_read_at_the_lane(name, loops):
    arguments, _ = _arguments(name, 3001)
    code = _code(name, arguments, loops)
    assert "lane_" in code and ".to(INDEX_DTYPE)" in code
    assert "gathered" not in code and "== labels" not in code and "== index" not in code


def test_a_row_after_a_reduction_keeps_the_masked_sum():
    arguments, _ = _arguments("picked_probability", 3001)
    code = _code("picked_probability", arguments, [None])
    assert "lane_" not in code and "tl.where(" in code
