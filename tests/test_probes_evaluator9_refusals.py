"""Evaluator-style probes of refusals and their hints (round 9): augmented assignments (`//=`,
`%=`, `**=`, `<<=`) were refused naming the update written out; since 2026-12 they are lowered
as that update (tests/test_lowered_updates.py), and here both spellings compute as torch,
`x[tile] **= a + 1` as x ** (a + 1); a slice by a tile's own bounds (`x[t.begin:t.end]`) names
`x[t]`, which computes as torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

UPDATES = {
    "floor_divide": ("x[tile] //= 3", "x[tile] = x[tile] // 3", lambda x: x // 3),
    "remainder": ("x[tile] %= -1.5", "x[tile] = x[tile] % -1.5", lambda x: x % -1.5),
    "shift": ("x[tile] <<= 2", "x[tile] = x[tile] << 2", lambda x: x << 2),
    "power_of_a_sum": (
        "x[tile] **= x[tile] * 0 + 2",
        "x[tile] = x[tile] ** (x[tile] * 0 + 2)",
        lambda x: x ** (x * 0 + 2),
    ),
}


def in_place(statement: str) -> str:
    return kernel(
        "x: torch.Tensor",
        f"    for tile in hl.tile(x.size(0)):\n        {statement}\n    return x\n",
    )


def make(case: str):
    if case == "shift":
        return lambda: [torch.randint(-50, 50, (301,), device=DEVICE).to(torch.int16)]
    if case == "floor_divide":
        return lambda: [torch.randint(-50, 50, (301,), device=DEVICE)]
    return lambda: [torch.randn(301, device=DEVICE) * 5]


@pytest.mark.parametrize("case", UPDATES)
def test_an_augmented_assignment_computes_as_its_update_written_out(case):
    statement, _, truth = UPDATES[case]
    assert_computes_as_torch(in_place(statement), make(case), truth)


@pytest.mark.parametrize("case", UPDATES)
def test_the_update_written_out_computes_as_torch(case):
    _, written, truth = UPDATES[case]
    assert_computes_as_torch(in_place(written), make(case), truth)


TILE_SLICE = """    out = torch.empty_like(x)
    for t in hl.tile(x.size(0), block_size=32):
        out[t] = SLICE * 2
    return out
"""


def test_a_slice_by_a_tile_s_own_bounds_names_the_tile():
    source = kernel("x: torch.Tensor", TILE_SLICE.replace("SLICE", "x[t.begin:t.end]"))
    assert_refused_at(source, 11, "t.begin", "known only at run time", "x[t] covers t.begin")
    assert_computes_as_torch(
        kernel("x: torch.Tensor", TILE_SLICE.replace("SLICE", "x[t]")),
        lambda: [torch.randn(301, device=DEVICE)],
        lambda x: x * 2,
    )
