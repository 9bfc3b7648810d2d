"""A string argument of the kernel for a torch parameter that takes one of a few strings
(`F.gelu(v, approximate=mode)`, `torch.div(a, b, rounding_mode=mode)`): the kernel is
specialised on the value at the call, as on a flag. Before, it was refused as "not one of
'none', 'tanh'" though torch takes it; a value torch refuses is still refused at the line."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE

import transpiler
from transpiler.compile.frontend.errors import ArgumentUnknownError, UnsupportedConstructError

SOURCE = """
import helion
import helion.language as hl
import torch
import torch.nn.functional as F


@helion.kernel()
def gelu_by_mode(x: torch.Tensor, approximate: str) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = F.gelu(x[tile], approximate=approximate)
    return out


@helion.kernel()
def gelu_mlp(x: torch.Tensor, w: torch.Tensor, mode: str = "tanh") -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = F.gelu(x[tile_m, tile_n] * w[tile_n], approximate=mode) + 1.0
    return out


@helion.kernel()
def divided(a: torch.Tensor, b: torch.Tensor, rounding: str) -> torch.Tensor:
    out = torch.empty_like(a)
    for tile in hl.tile(a.size(0)):
        out[tile] = torch.div(a[tile], b[tile], rounding_mode=rounding)
    return out
"""


@pytest.fixture(scope="module")
def kernels():
    return transpiler.kernels_from_source(SOURCE, filename="kernels.py", namespace={})


@pytest.mark.parametrize("mode", ["none", "tanh"])
def test_gelu_takes_its_mode_from_an_argument(kernels, mode):
    x = torch.randn(301, dtype=torch.float64, device=DEVICE)
    result = kernels["gelu_by_mode"](x, mode)
    torch.testing.assert_close(result, F.gelu(x, approximate=mode))


def test_a_default_mode_and_another_one_in_turn(kernels):
    x, w = torch.randn(19, 45, device=DEVICE), torch.randn(45, device=DEVICE)
    for call in ((x, w), (x, w, "none"), (x, w)):
        mode = call[2] if len(call) == 3 else "tanh"
        expected = F.gelu(x.double() * w.double(), approximate=mode) + 1.0
        torch.testing.assert_close(
            kernels["gelu_mlp"](*call).double(), expected, rtol=1e-5, atol=1e-5
        )


@pytest.mark.parametrize("rounding", ["floor", "trunc"])
def test_a_rounding_mode_from_an_argument(kernels, rounding):
    a = torch.randn(77, device=DEVICE) * 10
    b = torch.randn(77, device=DEVICE).abs() + 0.5
    torch.testing.assert_close(
        kernels["divided"](a, b, rounding), torch.div(a, b, rounding_mode=rounding)
    )


def test_a_mode_torch_refuses_is_refused_at_the_line(kernels):
    x = torch.randn(33, device=DEVICE)
    with pytest.raises(UnsupportedConstructError, match="not one of 'none', 'tanh'") as caught:
        kernels["gelu_by_mode"](x, "fast")
    message = str(caught.value)
    assert ":12:" in message and "(it is 'fast')" in message, message


def test_transpiling_without_the_value_says_the_call_gives_it():
    with pytest.raises(ArgumentUnknownError, match="known only when the kernel is called"):
        transpiler.transpile_module(SOURCE, only=("gelu_by_mode",))
