"""An outside evaluator's probes of `hl.reduce` with the user's combine function and no
`other=`: the lanes of a block past the tensor held 0 and took part, so a row product of 29
elements in a block of 32 was 0 and a minimum of positive numbers 0 (torch, and reference mode,
reduce the row's own elements). Now they take no part, whatever the combine
(lower/reduce_inside.py); with `other=` the user's value fills them as before."""

from __future__ import annotations

import pytest
import torch
from helpers import device_args, generated, reference

import transpiler

SOURCE = """
import torch
import transpiler as helion
import transpiler.language as hl


def mul(a, b):
    return a * b


def smaller(a, b):
    return torch.minimum(a, b)


def first_largest(value_a, index_a, value_b, index_b):
    take_b = value_b > value_a
    return torch.where(take_b, value_b, value_a), torch.where(take_b, index_b, index_a)


@helion.kernel()
def row_products(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = hl.reduce(mul, x[tile_m, :], dim=1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[16]))
def tile_minima(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty([(n + 15) // 16], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        out[tile.id] = hl.reduce(smaller, x[tile] * 2 + 1, dim=0)
    return out


@helion.kernel()
def row_argmax(x: torch.Tensor, columns: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, 1], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        pair = (x[tile_m, :], columns[tile_m, :])
        best, where = hl.reduce(first_largest, pair, dim=1, keep_dims=True)
        out[tile_m, :] = where
    return out


@helion.kernel()
def product_with_one(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = hl.reduce(lambda a, b: a * b, x[tile_m, :], dim=1, other=1.0)
    return out
"""


def _positive(*shape, dtype=torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) + 0.5).to(dtype)


CASES = {
    "row_products": (lambda: (_positive(13, 29),), lambda x: x.prod(1)),
    "row_products_float16": (
        lambda: (_positive(5, 37, dtype=torch.float16),),
        lambda x: x.prod(1),
    ),
    "tile_minima": (
        lambda: (_positive(37),),
        lambda x: torch.stack([(c * 2 + 1).min() for c in x.split(16)]),
    ),
    "row_argmax": (  # negative values (0 would win), the columns' numbers expanded (stride 0)
        lambda: (-_positive(29, 13).t(), torch.arange(29).expand(13, 29)),
        lambda x, columns: x.argmax(1, keepdim=True),
    ),
    "product_with_one": (lambda: (_positive(7, 19)[:, ::2],), lambda x: x.prod(1)),
}


def _kernel(case: str) -> str:
    return case.removesuffix("_float16")


@pytest.mark.parametrize("case", list(CASES))
def test_lanes_past_the_tensor_take_no_part(case):
    make, truth = CASES[case]
    args = make()
    name = _kernel(case)
    got = generated(SOURCE, name, *args)(*args)
    expected = truth(*[a.double() if a.is_floating_point() else a for a in args])
    # float32 products of 29 factors round by up to ~2e-6 in any order (the GPU's and the
    # tests' tree reduction pair them differently from a left-to-right loop)
    tolerance = {
        torch.float16: {"rtol": 2e-2, "atol": 1e-3},
        torch.float32: {"rtol": 1e-5, "atol": 1e-6},
    }
    tolerance = tolerance.get(args[0].dtype, {})
    torch.testing.assert_close(got.double(), expected.double(), **tolerance)
    if name != "tile_minima":  # (reference mode's tiles are not the config's: tile.id differs)
        mine = reference(SOURCE, name)(*args)
        torch.testing.assert_close(got.double(), mine.double(), **tolerance)


@pytest.mark.parametrize("case", list(CASES))
def test_they_compile_for_sm_90(case):
    args = CASES[case][0]()
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[_kernel(case)]
    (compiled,) = kernel.bind(device_args(args)).compile_for("sm_90")
    assert "tt.reduce" in compiled.asm["ttir"]


def test_the_flags_are_reduced_beside_the_values():
    code = transpiler.transpile_module(
        SOURCE, filename="kernels.py", example_args={"row_products": (_positive(13, 29),)}
    ).code
    assert "def mul_jit_inside(left_0, left_inside, right_0, right_inside):" in code
    assert "inside = tl.broadcast_to(mask_n[None, :], " in code
