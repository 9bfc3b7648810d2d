"""A decorator above `@helion.kernel` wraps the Kernel object, once: the runtime's launcher
does not carry it again. (It once did: `@doubled @helion.kernel` gave 4·(x + y), found by
running Helion's test_misc::test_decorator as a corpus.) A standalone module keeps it."""

from __future__ import annotations

import functools

import torch
from helpers import on_device

import transpiler
import transpiler.language as hl
from transpiler.run.cache import load_module

CALLS: list[str] = []


def doubled(function):
    @functools.wraps(function)
    def wrapper(*args):
        return function(*args) * 2

    return wrapper


def counted(function):
    @functools.wraps(function)
    def wrapper(*args):
        CALLS.append(function.__name__)
        return function(*args)

    return wrapper


@doubled
@transpiler.kernel()
def doubled_sum(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


@counted
@doubled
@transpiler.kernel()
def doubled_rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].sum(dim=1)
    return out


SOURCE = """
import torch
import helion
import helion.language as hl


def doubled(function):
    return lambda *args: function(*args) * 2


@doubled
@helion.kernel()
def scaled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 3
    return out
"""


def test_a_decorator_above_the_kernel_applies_once():
    x, y = torch.randn(37, 5, dtype=torch.float64), torch.randn(37, 5, dtype=torch.float64)
    torch.testing.assert_close(on_device(doubled_sum)(x, y), (x + y) * 2)
    (result,) = doubled_sum.__wrapped__.bind((x, y)).compile_for("sm_90")
    assert result.registers > 0


def test_two_decorators_above_a_row_sum_apply_once_each():
    CALLS.clear()
    x = torch.randn(19, 70)
    expected = x.double().sum(dim=1) * 2
    got = on_device(doubled_rows)(x)
    torch.testing.assert_close(got.double(), expected, atol=1e-5, rtol=1e-5)
    assert CALLS == ["doubled_rows"]


def test_a_standalone_module_keeps_the_decorator():
    code = transpiler.transpile(SOURCE)
    module = load_module(code, stem="standalone")  # from a file: the GPU compiler reads it
    x = torch.randn(23)
    assert "@doubled" in code
    torch.testing.assert_close(on_device(module.scaled)(x).double(), x.double() * 6)
