"""One pointer block for one place: a store at the pointers a load of the same block built
(`out[tile] += x[tile]`, `out[tile] = out[tile] * 3`) writes through the load's `out_ptrs`
(lower/reused_loads.py), in every augmented operator and for 1-D, 2-D and indexed targets;
pointers whose names were rebound since (`j = j + 2`) are built again.

Each kernel's pointer blocks are counted in its generated text, and each runs on fresh
odd-sized inputs against torch in float64 (and is compiled for sm_90 by tests/conftest.py)."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import assert_matches, generated, kernel_text, one_line, signed_rand

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel
def add_into(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(out.size(0)):
        out[tile] += x[tile]
    return out


@helion.kernel
def scale_rows(out: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    m, n = out.size()
    for tile in hl.tile(m):
        out[tile, :] *= s[tile, None]
    return out


@helion.kernel
def subtract_tiles(out: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    for tile_m, tile_n in hl.tile(out.size()):
        out[tile_m, tile_n] -= a[tile_m, tile_n] * 2.0
    return out


@helion.kernel
def scatter_add(out: torch.Tensor, idx: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(idx.size(0)):
        out[idx[tile]] += v[tile]
    return out


@helion.kernel
def scale_gathered_rows(out: torch.Tensor, idx: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(idx.size(0)):
        out[idx[tile], :] *= v[tile, :]
    return out


@helion.kernel
def integer_chain(out: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(out.size(0)):
        out[tile] //= a[tile]
        out[tile] %= b[tile]
        out[tile] |= a[tile]
        out[tile] <<= 1
        out[tile] ^= b[tile]
        out[tile] &= 1023
        out[tile] >>= 1
    return out


@helion.kernel
def divide_inner_tiles(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    m, n = out.size()
    for tile_m in hl.tile(m):
        for tile_n in hl.tile(n):
            out[tile_m, tile_n] /= x[tile_m, tile_n] + 1.0
    return out


@helion.kernel
def power_then_add(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(out.size(0)):
        out[tile] **= x[tile]
        out[tile] += 1
    return out


@helion.kernel
def written_out(out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(out.size(0)):
        out[tile] = out[tile] * 3.0
    return out


@helion.kernel
def two_columns(out: torch.Tensor, x: torch.Tensor, start: int) -> torch.Tensor:
    for tile in hl.tile(out.size(0)):
        j = start
        out[tile, j] += x[tile]
        j = j + 2
        out[tile, j] *= x[tile]
    return out


@helion.kernel
def walk_columns(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(out.size(0)):
        for j in range(3):
            out[tile, j] -= x[tile] * j
    return out
"""


def positive_ints(*shape: int) -> torch.Tensor:
    return torch.randint(1, 97, shape, dtype=torch.int32)


def integer_chain(out, a, b):
    out = out.long() // a.long() % b.long() | a.long()
    return (((out << 1) ^ b.long()) & 1023) >> 1


# name: (inputs, torch in float64 (the first input updated), pointer blocks of `out`)
CASES = {
    "add_into": (lambda: (signed_rand(37), signed_rand(37)), lambda out, x: out + x, 1),
    "scale_rows": (
        lambda: (signed_rand(13, 9), signed_rand(13)),
        lambda out, s: out * s[:, None],
        1,
    ),
    "subtract_tiles": (
        lambda: (signed_rand(11, 19), signed_rand(11, 19)),
        lambda out, a: out - a * 2,
        1,
    ),
    "scatter_add": (
        lambda: (signed_rand(50), torch.randperm(50)[:23], signed_rand(23)),
        lambda out, idx, v: out.index_put((idx,), out[idx] + v),
        1,
    ),
    "scale_gathered_rows": (
        lambda: (signed_rand(20, 7), torch.randperm(20)[:9], signed_rand(9, 7)),
        lambda out, idx, v: out.index_put((idx,), out[idx] * v),
        1,
    ),
    "integer_chain": (
        lambda: (positive_ints(29), positive_ints(29), positive_ints(29)),
        integer_chain,
        1,
    ),
    "divide_inner_tiles": (
        lambda: (signed_rand(7, 45), signed_rand(7, 45).abs()),
        lambda out, x: out / (x + 1),
        1,
    ),
    "power_then_add": (
        lambda: (signed_rand(31).abs() + 0.5, signed_rand(31)),
        lambda out, x: out**x + 1,
        1,
    ),
    "written_out": (lambda: (signed_rand(33),), lambda out: out * 3, 1),
    # j is rebound between the two updates: the second column's pointers are built again
    "two_columns": (
        lambda: (signed_rand(17, 6), signed_rand(17), 1),
        lambda out, x, start: torch.stack(
            [out[:, 0], out[:, 1] + x, out[:, 2], out[:, 3] * x, out[:, 4], out[:, 5]], 1
        ),
        2,
    ),
    "walk_columns": (
        lambda: (signed_rand(15, 3), signed_rand(15)),
        lambda out, x: out - x[:, None] * torch.arange(3, dtype=torch.float64),
        1,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_a_store_writes_through_the_pointers_its_load_built(name):
    make, expected_of, blocks = CASES[name]
    args = make()
    code = one_line(kernel_text(SOURCE, name, *args))
    assert len(re.findall(r"\bout_ptrs(_\d+)? = ", code)) == blocks, code
    loaded = set(re.findall(r"tl\.load\((out_ptrs\w*)", code))
    assert loaded == set(re.findall(r"tl\.store\((out_ptrs\w*)", code)), code  # the same names
    expected = expected_of(
        *[a.double() if torch.is_tensor(a) and a.is_floating_point() else a for a in args]
    )
    actual = generated(SOURCE, name, *args)(*args)
    assert_matches(
        actual, expected.to(actual.dtype) if not actual.is_floating_point() else expected
    )
