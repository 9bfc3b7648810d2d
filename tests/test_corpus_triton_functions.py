"""`hl.triton_kernel` through `@transpiler.kernel` (the runtime builds the module around the
function from its globals): a @triton.jit function named by a string, one whose helpers call
other @triton.jit helpers, and one reading a module constant `tl.constexpr(...)` all reach the
generated module. They once did not (found running Helion's test_triton_kernel as a corpus): a
name in a string was refused ("no function ... is defined"), and the helpers of a helper and a
constexpr constant were left out, so the kernel compiled for no GPU."""

from __future__ import annotations

import pytest
import torch
import triton
import triton.language as tl
from helpers import on_device

import transpiler
import transpiler.language as hl

OFFSET = tl.constexpr(0.75)
HALF = tl.constexpr(0.5)


@triton.jit
def halved_sum(a, b):
    return a + b * HALF


@triton.jit
def _square(v):
    return v * v


@triton.jit
def _square_then_offset(v):
    return _square(v) + OFFSET


@triton.jit
def squared_offset(a):
    return _square_then_offset(a)


@triton.jit
def _low_high(a, b):
    return tl.minimum(a, b), tl.maximum(a, b)


@triton.jit
def spread(a, b):
    low, high = _low_high(a, b)
    return high - low


@transpiler.kernel()
def by_name(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        x_block = x[tile]
        out[tile] = hl.triton_kernel("halved_sum", args=(x_block, y[tile]), output_like=x_block)
    return out


@transpiler.kernel()
def through_helpers(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        block = x[tile_m, tile_n]
        out[tile_m, tile_n] = hl.triton_kernel(squared_offset, args=(block,), output_like=block)
    return out


@transpiler.kernel()
def spread_by_name(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.triton_kernel("spread", args=(x[tile], y[tile]), output_like=x[tile])
    return out


def _compiles(kernel, args) -> None:
    for result in kernel.bind(args).compile_for("sm_90"):
        assert result.registers > 0


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_jit_function_named_by_a_string(dtype):
    x, y = torch.randn(1037, dtype=dtype), torch.randn(1037, dtype=dtype)
    torch.testing.assert_close(on_device(by_name)(x, y), x + y * 0.5)
    _compiles(by_name, (x, y))


def test_helpers_of_a_jit_helper_and_its_constexpr_constant():
    x = torch.randn(45, 77)
    expected = x.double() ** 2 + 0.75
    torch.testing.assert_close(
        on_device(through_helpers)(x).double(), expected, rtol=1e-5, atol=1e-5
    )
    _compiles(through_helpers, (x,))


def test_a_helper_with_two_results_by_name():
    x, y = torch.randn(300), torch.randn(300)
    expected = (x.double() - y.double()).abs()
    torch.testing.assert_close(on_device(spread_by_name)(x, y).double(), expected)
    _compiles(spread_by_name, (x, y))


HELPERS = """
import triton
import triton.language as tl


@triton.jit
def tripled(a):
    return a * 3
"""

KERNELS = """import torch, transpiler, transpiler.language as hl; from corpus_jit_helpers import tripled
@transpiler.kernel()
def by_name_near_the_top(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.triton_kernel("tripled", args=(x[tile],), output_like=x[tile])
    return out


@transpiler.kernel()
def refused_at_line_14(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        block = torch.zeros([tile], dtype=x.dtype)
        out[tile] = block + x[tile]
    return out
"""


def test_a_kernel_near_the_top_of_its_file_keeps_its_line_numbers(tmp_path, monkeypatch):
    """Its module's prelude (imports, the @triton.jit helper it names) is longer than the one
    line above it: the helper goes after the function, the imports share a line, and errors
    cite the file's own lines."""
    import importlib

    from transpiler.errors import UnsupportedOpError

    (tmp_path / "corpus_jit_helpers.py").write_text(HELPERS)
    (tmp_path / "corpus_kernels_at_top.py").write_text(KERNELS)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("corpus_kernels_at_top")
    x = torch.randn(300)
    torch.testing.assert_close(on_device(module.by_name_near_the_top)(x), x * 3)
    _compiles(module.by_name_near_the_top, (x,))
    with pytest.raises(UnsupportedOpError) as caught:
        on_device(module.refused_at_line_14)(x)
    assert caught.value.lineno == 14
    assert "block = torch.zeros([tile], dtype=x.dtype)" in str(caught.value)
