"""Tile indices used as values past int32 (index_values.py): `tile.index` is the kernel's
INDEX_DTYPE (int32 for these tensors) where torch's `arange` is int64, so `out[tile] =
tile.index * 100003`, a hash of the index by an int argument, `tile.index + offset` with a large
int argument and `x_int32[tile] * tile.index` wrapped in int32 past 2**31. Each computes as
torch now, against int64 torch on sizes whose products pass 2**31; the address math beside them
keeps INDEX_DTYPE (no `tl.int64` in a kernel that only indexes with the same arithmetic)."""

from __future__ import annotations

import random

import pytest
import torch
from helpers import DEVICE, kernel_text
from probe_kernels import kernel, one_loop
from torch_answers import assert_computes_as_torch

INT64_OUT = "torch.empty([x.size(0)], dtype=torch.int64, device=x.device)"


def size() -> int:
    """Odd, past 2**31 / 100003 (21,475): the products of the last indices pass int32."""
    return random.randrange(24_001, 30_001, 2)


def arange(x: torch.Tensor) -> torch.Tensor:
    return torch.arange(x.size(0), dtype=torch.int64)


def small_ints(dtype=torch.int32) -> list[torch.Tensor]:
    return [torch.randint(1, 50, (size(),), device=DEVICE, dtype=dtype)]


# id → (the stored expression, its int64 torch truth of x)
VALUES = {
    # the user's spelling
    "times_100003": ("tile.index * 100003", lambda x: arange(x) * 100003),
    "function_spelling": ("torch.mul(hl.tile_index(tile), 100003)", lambda x: arange(x) * 100003),
    "squared": ("tile.index * tile.index * 3 + x[tile]", lambda x: arange(x) ** 2 * 3 + x),
    "power": ("tile.index**3 % 1000003", lambda x: arange(x) ** 3 % 1000003),
    "shifted": ("(tile.index << 17) - x[tile]", lambda x: (arange(x) << 17) - x),
    "int32_tensor_times_index": ("x[tile] * tile.index * 2000", lambda x: x * arange(x) * 2000),
    "arange_lanes": (
        "(tile.begin + hl.arange(tile.block_size)) * 100003",
        lambda x: arange(x) * 100003,
    ),
    "widened_after_modulo": ("(tile.index % 4099) * 600011", lambda x: arange(x) % 4099 * 600011),
}


@pytest.mark.parametrize("case", VALUES)
def test_tile_index_values_past_int32_compute_as_torch(case):
    expression, truth = VALUES[case]
    source = kernel("x: torch.Tensor", one_loop(expression, INT64_OUT))
    assert_computes_as_torch(source, small_ints, truth)


# id → (the stored expression, its torch truth): a cast to int32 is torch's int32, wrapping
CASTS = {
    "index_cast_to_int32": ("tile.index.int() * 100003", lambda x: arange(x).int() * 100003),
    "named_int32_values": ("x[tile].int() * 100003", lambda x: x.int() * 100003),
}


@pytest.mark.parametrize("case", CASTS)
def test_int32_casts_of_indices_wrap_as_torch(case):
    """What torch holds in int32 stays int32 (no index lanes any more): it wraps in both."""
    expression, truth = CASTS[case]
    source = kernel("x: torch.Tensor", one_loop(expression, INT64_OUT))
    make = lambda: [torch.randint(30_000, 90_000, (size(),), device=DEVICE, dtype=torch.int32)]  # noqa: E731
    assert_computes_as_torch(source, make, truth)


# id → (signature, body expression, the int arguments past int32 or whose products pass it)
ARGUMENTS = {
    "hash_by_argument": (
        "x: torch.Tensor, multiplier: int, n: int",
        "(tile.index * multiplier) % n",
        lambda: [99991, random.randrange(900_001, 1_000_001, 2)],
        lambda x, multiplier, n: (arange(x) * multiplier) % n,
    ),
    "offset_argument": (
        "x: torch.Tensor, offset: int",
        "tile.index + offset",
        lambda: [2**31 - random.randrange(3, 999)],
        lambda x, offset: arange(x) + offset,
    ),
    "ids_less_an_argument": (
        "x: torch.Tensor, offset: int",
        "x[tile] - tile.index - offset",
        lambda: [2**31 - random.randrange(3, 999)],
        lambda x, offset: x - arange(x) - offset,
    ),
}


@pytest.mark.parametrize("case", ARGUMENTS)
def test_tile_indices_beside_int_arguments_compute_as_torch(case):
    signature, expression, numbers, truth = ARGUMENTS[case]
    source = kernel(signature, one_loop(expression, INT64_OUT))
    assert_computes_as_torch(source, lambda: small_ints() + numbers(), truth)


def test_a_two_dimensional_flat_id_computes_as_torch():
    """`tile_m.index[:, None] * 100003 + tile_n.index[None, :]`: ids of a grid, past int32."""
    body = (
        "    m, n = x.size()\n"
        "    out = torch.empty([m, n], dtype=torch.int64, device=x.device)\n"
        "    for tile_m, tile_n in hl.tile([m, n]):\n"
        "        out[tile_m, tile_n] = tile_m.index[:, None] * 100003 + tile_n.index[None, :]\n"
        "    return out\n"
    )
    rows = size()

    def truth(x):
        return torch.arange(rows)[:, None] * 100003 + torch.arange(x.size(1))[None, :]

    make = lambda: [torch.randn(rows, 7, device=DEVICE)]  # noqa: E731
    assert_computes_as_torch(kernel("x: torch.Tensor", body), make, truth)


def test_the_same_arithmetic_as_an_address_keeps_index_dtype():
    """`x[tile.index * 2]` and `hl.load(x, [tile.index * 2 + 1])` are address math: int32 offsets for small tensors, as before; the
    value beside it is widened where it is stored."""
    body = (
        "    out = torch.empty([x.size(0) // 2], dtype=torch.int64, device=x.device)\n"
        "    for tile in hl.tile(x.size(0) // 2):\n"
        "        out[tile] = x[tile.index * 2] + hl.load(x, [tile.index * 2 + 1])\n"
        "    return out\n"
    )
    (x,) = small_ints()
    code = kernel_text(kernel("x: torch.Tensor", body), "k", x)
    assert "int64" not in code, code
    stored = one_loop("x[tile] + tile.index * 100003", INT64_OUT)
    code = kernel_text(kernel("x: torch.Tensor", stored), "k", x)
    assert "offsets.to(tl.int64) * 100003" in code, code
    assert "x_ptr + offsets * x_stride_0" in code, code
