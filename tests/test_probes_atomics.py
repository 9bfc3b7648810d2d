"""User-style probes of atomics where lanes meet (the GPU applies each lane's update in turn):
histograms, a ticket counter, bit flags and a maximum per bin, in reference mode and compiled,
against float64 torch. Reference mode applied each element's update once (a histogram of 1,000
values into 5 bins counted 1 per bin)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def histogram(x: torch.Tensor, bins: int) -> torch.Tensor:
    out = torch.zeros([bins], dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [x[tile]], 1)
    return out


@helion.kernel()
def weighted_histogram(x: torch.Tensor, w: torch.Tensor, bins: int) -> torch.Tensor:
    out = torch.zeros([bins], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [x[tile]], w[tile] * 0.5)
    return out


@helion.kernel()
def compact_positive(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    out = torch.zeros_like(x)
    count = torch.zeros([1], dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        keep = v > 0
        slot = hl.atomic_add(count, [tile.index * 0], keep.to(torch.int32))
        hl.store(out, [slot], v, extra_mask=keep)
    return out, count


@helion.kernel()
def flags_per_bin(x: torch.Tensor, bits: torch.Tensor, bins: int) -> torch.Tensor:
    out = torch.zeros([bins], dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_or(out, [x[tile]], 1 << bits[tile])
    return out


@helion.kernel()
def extremes(x: torch.Tensor) -> torch.Tensor:
    out = torch.tensor([float("-inf"), float("inf")], device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_max(out, [tile.index * 0], x[tile])
        hl.atomic_min(out, [tile.index * 0 + 1], x[tile])
    return out


@helion.kernel()
def max_per_bin(x: torch.Tensor, v: torch.Tensor, bins: int) -> torch.Tensor:
    out = torch.full([bins], float("-inf"), dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_max(out, [x[tile]], v[tile])
    return out
"""


def _bins(n: int, bins: int, dtype=torch.int64) -> torch.Tensor:
    return torch.randint(0, bins, (n,), dtype=dtype)


def _flags(x, bits, bins):
    out = torch.zeros(bins, dtype=torch.int64)
    for b, bit in zip(x.tolist(), bits.tolist()):
        out[b] |= 1 << bit
    return out


# (kernel, arguments, torch's answer in float64 / int64)
CASES = [
    ("histogram", lambda: (_bins(1000, 5), 5), lambda x, b: torch.bincount(x, minlength=b)),
    (
        "histogram",
        lambda: (_bins(4097, 3, torch.int32), 3),
        lambda x, b: torch.bincount(x.long(), minlength=b),
    ),
    (
        "weighted_histogram",
        lambda: (_bins(1000, 7), torch.randn(1000), 7),
        lambda x, w, b: torch.zeros(b, dtype=torch.float64).index_add_(0, x, w * 0.5),
    ),
    (
        "flags_per_bin",
        lambda: (_bins(127, 4), torch.randint(0, 31, (127,), dtype=torch.int32), 4),
        _flags,
    ),
    ("extremes", lambda: (torch.randn(40_001),), lambda x: torch.stack([x.max(), x.min()])),
    (
        "max_per_bin",
        lambda: (_bins(301, 6), torch.randn(301), 6),
        lambda x, v, b: torch.full([b], -torch.inf, dtype=torch.float64).scatter_reduce(
            0, x, v, "amax"
        ),
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_lanes_meeting_at_an_element_each_apply_their_update(name, make, truth):
    args = make()
    floats = [
        a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args
    ]
    expected = truth(*floats)
    compiled = generated(SOURCE, name, *args)(*args)
    eager = reference(SOURCE, name)(*args)
    dtype = torch.float32 if compiled.is_floating_point() else None
    assert_matches(compiled, expected, dtype)
    assert_matches(eager, expected, dtype)


@pytest.mark.parametrize("run", ["compiled", "reference"])
def test_a_ticket_counter_gives_each_lane_its_own_slot(run):
    x = torch.randn(1001)
    kernel = generated(SOURCE, "compact_positive", x) if run == "compiled" else None
    out, count = (kernel or reference(SOURCE, "compact_positive"))(x)
    positive = x[x > 0]
    assert count.item() == positive.numel()
    assert torch.equal(out[: positive.numel()].sort().values, positive.sort().values)
