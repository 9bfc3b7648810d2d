"""User-style probes of int arguments past int64: torch refuses them (Overflow when unpacking
long / int too big to convert); the launcher raised Triton's own OverflowError traceback from
inside its argument packing, or passed one in [2**63, 2**64) as uint64 (`x > k` then compared
-1 as unsigned). The launcher now refuses every int outside int64 by name."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def shift(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + k
    return out


@helion.kernel()
def above(x: torch.Tensor, low) -> torch.Tensor:
    flags = torch.empty(x.size(), dtype=torch.bool, device=x.device)
    for tile_m, tile_n in hl.tile(x.size()):
        flags[tile_m, tile_n] = x[tile_m, tile_n] > low
    return flags


@helion.kernel()
def filled(x: torch.Tensor, value: int) -> torch.Tensor:
    out = torch.empty([x.size(0), 4], dtype=torch.int64, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = hl.full([tile, 4], value, dtype=torch.int64) * x[tile, None]
    return out
"""

CASES = {
    "shift": (lambda: (torch.randint(-9, 9, (37,)),), lambda x, k: x + k),
    "above": (lambda: (torch.randint(-2**40, 2**40, (5, 13)),), lambda x, k: x > k),
    "filled": (lambda: (torch.randint(-3, 4, (11,)),), lambda x, k: torch.full((11, 4), k) * x[:, None]),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_int_arguments_inside_int64_compute_as_torch(name):
    make, expected = CASES[name]
    (x,) = make()
    kernel = generated(SOURCE, name, x, 3, filename="ints.py")
    for k in (2**62 // 3, -(2**63) + 2**40, 5):
        assert torch.equal(kernel(x, k), expected(x, k)), k


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("k", [2**63, 2**70, -(2**63) - 1], ids=["2**63", "2**70", "-2**63-1"])
def test_int_arguments_past_int64_are_refused_by_name(name, k):
    make, expected = CASES[name]
    (x,) = make()
    kernel = generated(SOURCE, name, x, 3, filename="ints.py")
    parameter = {"shift": "k", "above": "low", "filled": "value"}[name]
    with pytest.raises(OverflowError, match=f"^{parameter} = {k} does not fit int64"):
        kernel(x, k)
    if not 0 <= k < 2**64:  # torch's own refusal; in [2**63, 2**64) torch wraps a sum into
        with pytest.raises((OverflowError, RuntimeError)):  # int64 but compares exactly
            expected(x, k)
