"""User-style probes of block sizes written in the kernel: an inner loop's block from an outer
tile's (`block_size=tile_m.block_size`, `* 2`, a product's K like its M) is that tile's BLOCK
(the launcher named `tile_m`: NameError); a host size used as a block size (`n =
hl.specialize(n)`) is checked to be a power of two at the launch (Triton's arange failed); a
device value as a block size is refused at its line."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

from transpiler.errors import UnsupportedConstructError

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def row_sums_outer_block(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m, block_size=16):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=tile_m.block_size):
            acc += x[tile_m, tile_n].sum(-1)
        out[tile_m] = acc
    return out


@helion.kernel()
def row_sums_twice_the_block(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m, block_size=8):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=tile_m.block_size * 2):
            acc += torch.exp(x[tile_m, tile_n]).sum(-1)
        out[tile_m] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[32, 16]))
def matmul_k_like_m(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k, block_size=tile_m.block_size):
            acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def whole_rows_specialised(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    n = hl.specialize(n)
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=n):
            acc += x[tile_m, tile_n].sum(1)
        out[tile_m] = acc
    return out


@helion.kernel()
def block_from_a_device_value(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m, block_size=16):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        width = acc.size(0)
        for tile_n in hl.tile(n, block_size=width):
            acc += x[tile_m, tile_n].sum(-1)
        out[tile_m] = acc
    return out
"""

CASES = [
    ("row_sums_outer_block", (torch.randn(37, 100),), lambda x: x.sum(-1)),
    ("row_sums_twice_the_block", (torch.randn(21, 77),), lambda x: x.exp().sum(-1)),
    ("matmul_k_like_m", (torch.randn(37, 45), torch.randn(45, 19)), lambda a, b: a @ b),
    ("whole_rows_specialised", (torch.randn(7, 32),), lambda x: x.sum(-1)),
]


@pytest.mark.parametrize(("name", "args", "truth"), CASES, ids=[c[0] for c in CASES])
def test_an_inner_block_from_an_outer_tile_or_a_size(name, args, truth):
    result = generated(SOURCE, name, *args)(*args)
    dots = name.startswith("matmul")  # a GPU computes float32 products in TF32
    assert_matches(result, truth(*[a.double() for a in args]), dots=dots)


def test_a_size_that_is_no_power_of_two_as_a_block_size_is_refused_at_the_launch():
    x = torch.randn(7, 24)
    with pytest.raises(ValueError, match="n=24 is used as a block size: it must be a power of two"):
        generated(SOURCE, "whole_rows_specialised", x)(x)


def test_a_device_value_as_a_block_size_is_refused_at_its_line():
    x = torch.randn(7, 24)
    with pytest.raises(UnsupportedConstructError, match="'width', a value of the device") as error:
        generated(SOURCE, "block_from_a_device_value", x)
    assert error.value.lineno == 64  # the inner loop, at `width`
