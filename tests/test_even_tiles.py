"""Whole-tile flags: `mask_n = (offs_n < n) | EVEN_N`, where the launcher sets EVEN_N when every
tile along n is whole, so that Triton drops the masks (measured: 17% of attention's time on an
H100). Both settings of each flag must compute the same, and a ragged edge must stay masked."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, assert_matches, both_truths, kernel_source

SOFTMAX = kernel_source("reductions.py")


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 4 - 2 + 0.01).to(dtype)


def test_flags_appear_with_their_launcher_tests():
    x = rand(8, 16)
    code = generated_code("softmax", x)
    assert "mask_n = (offs_n < n) | EVEN_N" in code
    # set together; a whole dimension: one block of next_power_of_2
    assert "EVEN_N, EVEN__M = n % BLOCK_N == 0, _m == BLOCK__M" in code


def generated_code(name: str, *args) -> str:
    import transpiler

    return transpiler.transpile_module(
        SOFTMAX, filename="reductions.py", example_args={name: args}, only=(name,)
    ).code


@pytest.mark.parametrize("shape", [(64, 128), (64, 127), (63, 128), (1, 1), (0, 16)])
def test_softmax_whole_and_ragged(shape):
    x = rand(*shape)
    ours, reference = both_truths("reductions.py", "softmax", x)
    assert_matches(ours, reference)
    if x.numel():
        assert_matches(ours, torch.softmax(x.double(), dim=-1), torch.float32)


SCALE_INTO = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def scale_into(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * 2.0
    return out
"""


@pytest.mark.parametrize("columns", [128, 127, 1])
def test_ragged_edge_stays_inside_a_view(columns):
    """Output a view of a wider buffer: columns past the view must keep their poison."""
    import transpiler
    from transpiler.run.runtime import load_module

    x = rand(32, columns).to(DEVICE)
    wide = torch.full((32, columns + 9), float("nan"), device=DEVICE)
    out = wide[:, :columns]
    code = transpiler.transpile_module(
        SCALE_INTO, filename="scale_into.py", example_args={"scale_into": (x, out)}
    ).code
    load_module(code, stem="scale_into").scale_into(x, out)
    assert torch.isnan(wide[:, columns:]).all()
    assert_matches(wide[:, :columns].cpu(), x.cpu().double() * 2, torch.float32)


@pytest.mark.parametrize("n", [96, 97])
def test_inner_loop_whole_and_ragged(n):
    x = rand(5, n)
    ours, reference = both_truths("reductions.py", "long_sum", x)
    assert_matches(ours, reference)
    assert_matches(ours, x.double().sum(-1), torch.float32)
