"""hl.atomic_cas on partial tiles: tl.atomic_cas takes no mask, so lanes past the tensor's end
used to compare-and-swap memory outside it. They now swap a no-op on its first element: the
memory after a view's end keeps its sentinel, and the old values come back for the rest."""

from __future__ import annotations

import torch
from helpers import DEVICE

import transpiler
from transpiler.run.runtime import load_module

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[16]))
def claim(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    old = torch.empty_like(out)
    for tile in hl.tile(out.size(0)):
        old[tile] = hl.atomic_cas(out, [tile], x[tile], x[tile] + 100)
    return old


@helion.kernel(config=helion.Config(block_sizes=[8, 16]))
def claim_2d(out: torch.Tensor, expected: int) -> torch.Tensor:
    m, n = out.size()
    for tile_m, tile_n in hl.tile([m, n]):
        hl.atomic_cas(out, [tile_m, tile_n], expected, tile_m.index[:, None] * n + tile_n.index[None, :])
    return out
"""


def _kernel(name: str, *args):
    code = transpiler.transpile_module(
        SOURCE, filename="cas.py", example_args={name: args}, only=(name,)
    ).code
    return getattr(load_module(code, stem=name), name)


def test_lanes_past_the_end_leave_memory_alone():
    buffer = torch.full((64,), 3, dtype=torch.int32, device=DEVICE)
    out = buffer[:41]
    out.copy_(torch.randint(0, 4, (41,), dtype=torch.int32))
    x = torch.randint(0, 4, (41,), dtype=torch.int32, device=DEVICE)
    before = out.clone()
    old = _kernel("claim", out, x)(out, x)
    assert torch.equal(old.cpu(), before.cpu())
    assert torch.equal(out.cpu(), torch.where(before == x, x + 100, before).cpu())
    assert torch.equal(buffer[41:].cpu(), torch.full((23,), 3, dtype=torch.int32))


def test_partial_tiles_in_two_dimensions():
    buffer = torch.full((13, 50), -1, dtype=torch.int64, device=DEVICE)
    out = buffer[:, :37]
    out[::2] = 5
    result = _kernel("claim_2d", out, 5)(out, 5).cpu()
    rows, cols = torch.meshgrid(torch.arange(13), torch.arange(37), indexing="ij")
    expected = torch.where(rows % 2 == 0, rows * 37 + cols, torch.full_like(rows, -1))
    assert torch.equal(result, expected)
    assert torch.equal(buffer[:, 37:].cpu(), torch.full((13, 13), -1))
