"""Evaluator-style probes of reference mode under a config's block sizes: a kernel whose result
depends on its tiles (`partials[tile.id] = x[tile].sum()`, `tile.begin`, `tile.count`) under
`Config(block_sizes=[16])` ran its reference as one whole-range tile, which wrote `partials[0]`
and left the rest as `torch.empty` made them (garbage beside the right compiled result). The
reference now takes the config's block sizes for such kernels (reference/config_blocks.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, device_args, generated, reference

import transpiler
from transpiler.reference.mode import rewrite_for_reference

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[16]))
def partial_sums(x: torch.Tensor) -> torch.Tensor:
    partials = torch.empty([(x.size(0) + 15) // 16], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        partials[tile.id] = x[tile].sum()
    return partials


@helion.kernel(config=helion.Config(block_sizes=[16]))
def positions(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 4], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile, 0] = x[tile] + tile.id
        out[tile, 1] = x[tile] * tile.begin
        out[tile, 2] = x[tile] - tile.end
        out[tile, 3] = x[tile] + tile.count
    return out


@helion.kernel(config=helion.Config(block_sizes=[4, 8, 16]))
def block_maxima(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([(m + 3) // 4, (n + 7) // 8], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        best = hl.full([tile_m, tile_n], float("-inf"), dtype=torch.float32)
        for tile_k in hl.tile(m):
            best = torch.maximum(best, x[tile_k, tile_n].amax(0)[None, :] + tile_k.id * 0)
        out[tile_m.id, tile_n.id] = x[tile_m, tile_n].amax() + best.amax() * 0
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def tile_ids_by_function(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * hl.tile_id(tile) + hl.tile_begin(tile)
    return out


@helion.kernel(config=helion.Config(block_sizes=[16]))
def whole_sums(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [0], x[tile].sum())
    return out
"""


def _partials(x: torch.Tensor, block: int) -> torch.Tensor:
    return torch.stack([c.sum() for c in x.double().split(block)])


def _positions(x: torch.Tensor, block: int) -> torch.Tensor:
    n = x.size(0)
    index = torch.arange(n)
    ids, begins = index // block, index // block * block
    ends = torch.clamp(begins + block, max=n)
    count = -(-n // block)
    x = x.double()
    return torch.stack([x + ids, x * begins, x - ends, x + count], dim=1)


def _block_maxima(x: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    padded = torch.full((-(-m // 4) * 4, -(-n // 8) * 8), float("-inf"), dtype=torch.float64)
    padded[:m, :n] = x.double()
    return padded.unflatten(0, (-1, 4)).unflatten(2, (-1, 8)).amax(dim=(1, 3))


CASES = [
    ("partial_sums", lambda: (torch.randn(37),), lambda x: _partials(x, 16)),
    ("partial_sums", lambda: (torch.randn(66)[::2],), lambda x: _partials(x, 16)),
    ("positions", lambda: (torch.randn(37),), lambda x: _positions(x, 16)),
    ("block_maxima", lambda: (torch.randn(13, 29),), _block_maxima),
    ("block_maxima", lambda: (torch.randn(29, 13).t(),), _block_maxima),
    (
        "tile_ids_by_function",
        lambda: (torch.randn(37),),
        lambda x: x.double() * (torch.arange(37) // 8) + torch.arange(37) // 8 * 8,
    ),
    ("whole_sums", lambda: (torch.randn(37),), lambda x: x.double().sum().reshape(1)),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_reference_mode_takes_the_configs_blocks(name, make, truth):
    (x,) = make()
    expected = truth(x)
    assert_matches(generated(SOURCE, name, x)(x.clone()), expected, torch.float32)
    assert_matches(reference(SOURCE, name)(x.clone()), expected, torch.float32)


def test_only_kernels_reading_tile_positions_take_blocks():
    """A kernel whose result does not depend on its tiles keeps whole-range tiles (fast)."""
    rewritten = rewrite_for_reference(SOURCE)
    assert "hl.tile(x.size(0), block_size=16)" in rewritten  # partial_sums, positions
    assert "hl.tile([m, n], block_size=[4, 8])" in rewritten
    assert "hl.tile(m, block_size=16)" in rewritten
    whole = rewritten.split("def whole_sums")[1]
    assert "block_size" not in whole


def test_a_config_given_by_name_or_fixed_later_reaches_the_reference():
    source = """
import torch
import transpiler as helion
import transpiler.language as hl

CONFIG = helion.Config(block_sizes=[8])


@helion.kernel(config=CONFIG)
def partial_sums(x: torch.Tensor) -> torch.Tensor:
    partials = torch.empty([(x.size(0) + 7) // 8], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        partials[tile.id] = x[tile].sum()
    return partials
"""
    kernel = transpiler.kernels_from_source(source, filename="named_config.py")["partial_sums"]
    x = torch.randn(29)
    assert_matches(kernel.reference(x), _partials(x, 8), torch.float32)
    kernel.fix_config({"block_sizes": [16]})
    y = torch.randn(29)
    expected = _partials(y, 16)
    assert_matches(kernel.reference(y)[: expected.numel()], expected, torch.float32)


@pytest.mark.parametrize("name", ["partial_sums", "positions", "block_maxima"])
def test_the_kernels_compile_for_sm_90(name):
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    x = torch.randn(13, 29) if name == "block_maxima" else torch.randn(37)
    (result,) = kernel.bind(device_args((x,))).compile_for("sm_90")
    assert result.asm["ttir"]
