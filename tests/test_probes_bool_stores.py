"""User-style probes of stores into bool tensors: torch stores every nonzero value (NaN too) as
True; tl.store cast the value to int8 first (0.5 and 256 became False, 2.0 a byte of 2)."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, kernel_source

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def to_bool(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.bool, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile]
    return out


@helion.kernel()
def product_into(x: torch.Tensor, y: torch.Tensor, flags: torch.Tensor) -> torch.Tensor:
    for tile_m, tile_n in hl.tile(flags.size()):
        flags[tile_m, tile_n] = x[tile_m, tile_n] * y[tile_n]
    return flags


@helion.kernel()
def gathered(x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([rows.size(0), x.size(1)], dtype=torch.bool, device=x.device)
    for tile_i, tile_n in hl.tile(out.size()):
        hl.store(out, [tile_i, tile_n], x[rows[tile_i], tile_n] - 1)
    return out


@helion.kernel()
def copy_and_compare(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    same = torch.empty_like(x)
    positive = torch.empty(x.size(), dtype=torch.bool, device=x.device)
    for tile in hl.tile(x.size()):
        same[tile] = x[tile]
        positive[tile] = x[tile] > 0
    return same, positive
"""


def _values(*shape, dtype=torch.float32) -> torch.Tensor:
    """Random values with zeros, halves, NaN, ±inf, tiny and wrapping ones among them."""
    x = torch.randn(*shape, dtype=torch.float64) * 3
    flat = x.view(-1)
    specials = [0.0, 0.5, -0.25, 256.0, 1e-30, float("nan"), float("inf"), -float("inf"), 0.0]
    for place, special in zip(range(1, flat.numel(), 3), specials):
        flat[place] = special
    if not dtype.is_floating_point:
        x = torch.nan_to_num(x, posinf=256, neginf=-512).round()
    return x.to(dtype)


@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float16, torch.float64, torch.int32, torch.int64], ids=str
)
def test_a_copy_into_a_bool_tensor_is_nonzero(dtype):
    x = _values(1031, dtype=dtype)
    result = generated(SOURCE, "to_bool", x, filename="bools.py")(x)
    assert torch.equal(result, x.bool()), (result, x.bool())
    assert result.view(torch.uint8).max() <= 1  # each a proper bool byte


@pytest.mark.parametrize("dtype", [torch.float32, torch.int32], ids=str)
def test_a_product_into_a_bool_argument(dtype):
    x, y = _values(37, 19, dtype=dtype), _values(19, dtype=dtype) / 4
    y = y if dtype.is_floating_point else y.round().to(dtype)
    flags = torch.zeros(37, 19, dtype=torch.bool)
    expected = flags.clone()
    expected[:] = x * y
    result = generated(SOURCE, "product_into", x, y, flags, filename="bools.py")(x, y, flags)
    assert torch.equal(result, expected)
    assert result.view(torch.uint8).max() <= 1


def test_hl_store_of_a_gather_into_a_bool_tensor():
    x = _values(23, 41)
    rows = torch.randint(0, 23, (13,), dtype=torch.int64)
    expected = (x[rows] - 1).bool()
    result = generated(SOURCE, "gathered", x, rows, filename="bools.py")(x, rows)
    assert torch.equal(result, expected)


def test_a_bool_output_like_its_bool_input_beside_floats():
    """tests/kernels' add(x, y) with x bool and y float: torch's out is bool (empty_like(x)),
    x + y float."""
    x = torch.rand(515) > 0.5
    y = _values(515)
    expected = torch.empty_like(x)
    expected[:] = x + y
    result = generated(kernel_source("elementwise.py"), "add", x, y)(x, y)
    assert torch.equal(result, expected)
    floats = _values(515)
    result = generated(kernel_source("elementwise.py"), "add", floats, y)(floats, y)
    torch.testing.assert_close(result.double(), floats.double() + y.double(), equal_nan=True)


@pytest.mark.parametrize("dtype", [torch.bool, torch.float32], ids=str)
def test_copies_and_comparisons_store_as_they_are(dtype):
    x = _values(9, 31).to(dtype) if dtype != torch.bool else torch.rand(9, 31) > 0.3
    same, positive = generated(SOURCE, "copy_and_compare", x, filename="bools.py")(x)
    torch.testing.assert_close(same, x, rtol=0, atol=0, equal_nan=True)
    assert torch.equal(positive, x > 0)
    code = transpiler.transpile_module(
        SOURCE, filename="bools.py", example_args={"copy_and_compare": (x,)},
        only=("copy_and_compare",),
    ).code  # fmt: skip
    assert "as_stored" not in code  # a copy keeps its dtype; a comparison is a bool
