"""User-style probes of hl.load / hl.store keywords: `extra_mask=None` is no mask (it reached
Triton as `mask & None`), an eviction policy Triton does not know is refused at its column."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def load_no_mask(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.load(x, [tile], extra_mask=None) * 2
    return out


@helion.kernel()
def load_no_mask_by_position(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = hl.load(x, [tile_m, tile_n], None, "evict_first") + 1
    return out


@helion.kernel()
def store_no_mask(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(x.size(0)):
        hl.store(out, [tile], x[tile] - 3, extra_mask=None)
    return out


@helion.kernel()
def load_unknown_policy(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.load(x, [tile], eviction_policy="evict_lsat")
    return out


@helion.kernel()
def load_unknown_policy_by_position(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.load(x, [tile], x[tile] > 0, "keep")
    return out
"""


@pytest.mark.parametrize(
    ("name", "x", "truth"),
    [
        ("load_no_mask", torch.randn(77), lambda x: x * 2),
        ("load_no_mask_by_position", torch.randn(9, 37), lambda x: x + 1),
        ("store_no_mask", torch.randn(45), lambda x: x - 3),
    ],
)
def test_an_extra_mask_of_none_is_no_mask(name, x, truth):
    assert_matches(generated(SOURCE, name, x, filename="probes.py")(x), truth(x.double()))


@pytest.mark.parametrize(
    ("name", "line", "column"),
    [
        ("load_unknown_policy", 36, 56),
        ("load_unknown_policy_by_position", 44, 53),
    ],
)
def test_an_unknown_eviction_policy_is_refused_at_its_column(name, line, column):
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(SOURCE, name, torch.randn(33), filename="probes.py")
    message = str(caught.value)
    assert f"probes.py:{line}:{column}:" in message and "evict_first" in message
