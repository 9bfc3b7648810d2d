"""An outside evaluator's probes of integers that may be negative without a subtraction in
sight: a negative literal (`torch.where(c, 7, -7) // 2`, `t.index * -3`) or an inversion
(`~t.index`, which is -index - 1). Triton's `//` and `%` truncate and its pointers read before
the tensor, so such values need torch's flooring and its counting from the end; both were
skipped (a negative literal or `~` did not count as "may be negative"): `x[~t.index]` read
memory before x, `torch.where(x > 0, 7, -7) // 2` gave -3 (torch: -4)."""

from __future__ import annotations

import pytest
import torch
from helpers import device_args, generated

import transpiler

SOURCE = """
import torch
import transpiler as helion
import transpiler.language as hl


@helion.kernel()
def chosen_halves(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = torch.where(x[t] > 0, 7, -7) // 2 + torch.where(x[t] > 0.5, 9, -5) % 4 * 100
    return out


@helion.kernel(config=helion.Config(block_sizes=[16]))
def flipped(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[~t.index]
    return out


@helion.kernel()
def negated_lanes(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = (t.index * -3) // 4 + (~t.index) % 5
    return out


@helion.kernel()
def mirrored(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t.index * -1] + x[t]
    return out


@helion.kernel()
def mirrored_rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[~tile_m.index, tile_n] * 2
    return out
"""


def _lanes(n: int) -> torch.Tensor:
    return torch.arange(n)


CASES = {
    "chosen_halves": (
        lambda: (torch.randn(37),),
        lambda x: torch.where(x > 0, 7, -7) // 2 + torch.where(x > 0.5, 9, -5) % 4 * 100,
    ),
    "flipped": (lambda: (torch.randn(37),), lambda x: x.flip(0)),
    "negated_lanes": (
        lambda: (torch.randn(29),),
        lambda x: (_lanes(29) * -3) // 4 + (~_lanes(29)) % 5,
    ),
    "mirrored": (lambda: (torch.randn(37, dtype=torch.float64),), lambda x: x[-_lanes(37)] + x),
    "mirrored_rows": (lambda: (torch.randn(29, 13).t()[:, ::2],), lambda x: x.flip(0) * 2),
}


@pytest.mark.parametrize("name", list(CASES))
def test_negative_literals_and_inversions_count_as_torch(name):
    make, truth = CASES[name]
    args = make()
    expected = truth(*[a.double() if a.is_floating_point() else a for a in args])
    got = generated(SOURCE, name, *args)(*args)
    assert got.dtype == (args[0].dtype if got.is_floating_point() else torch.int64)
    torch.testing.assert_close(got.double(), expected.double(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_they_compile_for_sm_90(name):
    args = CASES[name][0]()
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    (compiled,) = kernel.bind(device_args(args)).compile_for("sm_90")
    assert "tt.func" in compiled.asm["ttir"]
