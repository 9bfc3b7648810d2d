"""Scalars inside device loops as users write them: `math` functions of sizes and float
arguments, a 0-d tensor used as a number, and `**` on integers and with a literal base, each
against float64 (or exact integer) torch."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import assert_matches, on_device

import transpiler
from transpiler.run.runtime import load_module

SOURCE = """
import math

import helion
import helion.language as hl
import torch


@helion.kernel()
def scaled_rows(x: torch.Tensor) -> torch.Tensor:
    m, d = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :] / math.sqrt(d)
    return out


@helion.kernel()
def decay(x: torch.Tensor, t: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] * math.exp(-t) + math.pi - math.log2(math.e)
    return out


@helion.kernel()
def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        inner = math.sqrt(2.0 / math.pi) * (v + 0.044715 * v * v * v)
        out[tile] = 0.5 * v * (1.0 + torch.tanh(inner))
    return out


@helion.kernel()
def by_zero_dim(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * scale + scale
    return out


@helion.kernel()
def shifted_clip(x: torch.Tensor, limit: torch.Tensor, shift: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        v = x[tile_m, tile_n]
        out[tile_m, tile_n] = torch.where(v > limit, limit, v) + (tile_n.index + shift)[None, :]
    return out


@helion.kernel()
def power(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.promote_types(x.dtype, y.dtype), device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] ** y[tile]
    return out


@helion.kernel()
def torch_pow(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.promote_types(x.dtype, y.dtype), device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.pow(x[tile], y[tile])
    return out


@helion.kernel()
def two_to_the(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = 2 ** x[tile]
    return out


@helion.kernel()
def root(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] ** 0.5
    return out
"""


def run(name: str, *args):
    code = transpiler.transpile_module(
        SOURCE, filename="scalar_math.py", example_args={name: args}, only=(name,)
    ).code
    return on_device(getattr(load_module(code, stem=name), name))(*args)


def test_math_of_a_size_inside_the_loop():
    x = torch.randn(13, 37) * 3
    assert_matches(run("scaled_rows", x), x.double() / math.sqrt(37))


def test_math_of_a_float_argument_and_constants():
    x = torch.randn(9, 21)
    exact = x.double() * math.exp(-0.7) + math.pi - math.log2(math.e)
    assert_matches(run("decay", x, 0.7), exact)


def test_math_of_constants_in_an_expression_of_blocks():
    x = torch.randn(301) * 2
    v = x.double()
    exact = 0.5 * v * (1 + torch.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))
    assert_matches(run("gelu_tanh", x), exact)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_a_zero_dim_tensor_is_a_number(dtype):
    x = (torch.randn(77) * 3).to(dtype)
    scale = torch.tensor(1.75, dtype=dtype)
    assert_matches(run("by_zero_dim", x, scale), x.double() * 1.75 + 1.75, dtype)


def test_zero_dim_tensors_in_comparisons_and_index_arithmetic():
    x = torch.randn(13, 37) * 3
    limit, shift = torch.tensor(0.75), torch.tensor(5, dtype=torch.int32)
    exact = torch.where(x > 0.75, 0.75, x.double()) + (torch.arange(37) + 5).double()[None, :]
    assert_matches(run("shifted_clip", x, limit, shift), exact)


def _integers(dtype, low, high, n=61):
    return torch.randint(low, high, (n,), dtype=dtype)


@pytest.mark.parametrize("name", ["power", "torch_pow"])
@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
def test_integer_powers_are_exact_and_wrap_as_torch(name, dtype):
    base = _integers(dtype, -7, 8)
    exponent = _integers(dtype, 0, 23)
    exponent[:6] = torch.tensor([-1, -2, -3, 0, 31, 40])
    base[:6] = torch.tensor([1, -1, 2, 0, 3, -3])
    ours = run(name, base, exponent)
    assert ours.dtype == dtype
    assert torch.equal(ours, base**exponent)


@pytest.mark.parametrize(
    ("x_dtype", "y_dtype"),
    [(torch.float32, torch.int32), (torch.int32, torch.float32), (torch.float32, torch.float32)],
)
def test_mixed_powers_are_float(x_dtype, y_dtype):
    x = (
        (torch.rand(53) * 3 + 0.25).to(x_dtype)
        if x_dtype.is_floating_point
        else _integers(x_dtype, 1, 6, 53)
    )
    y = (
        (torch.rand(53) * 4 - 2).to(y_dtype)
        if y_dtype.is_floating_point
        else _integers(y_dtype, -3, 6, 53)
    )
    ours = run("power", x, y)
    assert ours.dtype == torch.float32
    assert_matches(ours, x.double() ** y.double(), torch.float32)


def test_a_literal_base():
    x = torch.rand(45) * 6 - 3
    assert_matches(run("two_to_the", x), 2 ** x.double())
    n = _integers(torch.int32, 0, 30, 45)
    assert torch.equal(run("two_to_the", n), 2**n)


def test_an_integer_to_a_fractional_power_is_float():
    n = _integers(torch.int32, 0, 1000, 45)
    assert_matches(run("root", n), n.double() ** 0.5, torch.float32)


NAMES = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def remainder(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    require = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(require):
        power = x[tile] ** y[tile]
        tanh = torch.tanh(power)
        upcast_half = tanh % 0.3
        check_tensors = upcast_half // 0.07
        out[tile] = check_tensors + upcast_half
    return out


@helion.kernel()
def require(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.tanh(x[tile]) % 0.5
    return out
"""


TL = (
    """
import helion
import helion.language as hl
import torch


"""
    + "@helion.kernel()\ndef uses_tl(x: torch.Tensor) -> torch.Tensor:\n    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n        tl = x[tile] * 2\n        out[tile] = tl\n    return out\n"
)


def _names_module(name: str, *args, source: str = NAMES):
    code = transpiler.transpile_module(
        source, filename="names.py", example_args={name: args}, only=(name,)
    ).code
    return code, on_device(getattr(load_module(code, stem=name), name))


def test_user_names_equal_to_helpers_keep_their_meaning():
    """A kernel called `remainder`, its host variable `require` and device variables `power`,
    `tanh`, `upcast_half`, `check_tensors`: the module's helpers of those names step aside."""
    x, y = torch.rand(301) + 0.5, torch.rand(301) * 2
    code, kernel = _names_module("remainder", x, y)
    assert "def remainder(x" in code and "def remainder_helper(" in code
    p = x.double() ** y.double()
    m = torch.remainder(torch.tanh(p), 0.3)
    assert_matches(on_device(kernel)(x, y), torch.div(m, 0.07, rounding_mode="floor") + m)
    x = torch.randn(77) * 3
    code, kernel = _names_module("require", x)
    assert "def require(x" in code
    assert_matches(on_device(kernel)(x), torch.remainder(torch.tanh(x.double()), 0.5))


def test_a_variable_named_tl_is_refused_at_its_line():
    with pytest.raises(transpiler.TranspileError) as caught:
        _names_module("uses_tl", torch.randn(5), source=TL)
    message = str(caught.value)
    assert "names.py:11:" in message and "tl = x[tile] * 2" in message
    assert "rename the variable" in message
