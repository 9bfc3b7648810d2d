"""Whole dimensions the launcher shows equal (`w[:]` against `x[tile, :]`, `hl.rand([tile, n])`
stored into `out[tile, :]`) share one block when the shape analysis follows the values between
them. `torch.var_mean`'s pair and `hl.rand` / `hl.randint` blocks were not followed: lowering
stopped with "the plan lacks: the sizes w.size(0) and x.size(1) meet" (found running Helion's
test_reductions layer-norm kernels and test_random as a corpus)."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler
import transpiler.language as hl
from transpiler.reference import philox


@transpiler.kernel()
def layer_norm_rows(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, eps: float) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        var, mean = torch.var_mean(row, dim=-1, keepdim=True, correction=0)
        out[tile_m, :] = (row - mean) * torch.rsqrt(var + eps) * w[:] + b[:]
    return out


@transpiler.kernel()
def standardised(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        pair = torch.var_mean(x[tile_m, :], 1, keepdim=True)  # unbiased, by position
        out[tile_m, :] = (x[tile_m, :] - pair[1]) / torch.sqrt(pair[0]) * scale[None, :]
    return out


@transpiler.kernel()
def row_spread(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        var, mean = torch.var_mean(x[tile_m, :] * w[:], dim=1)
        out[tile_m] = var + mean
    return out


@transpiler.kernel()
def noise_rows(out: torch.Tensor, seed: int) -> torch.Tensor:
    m = out.size(0)
    n = hl.specialize(out.size(1))
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.rand([tile_m, n], seed=seed)
    return out


@transpiler.kernel()
def dice_cube(x: torch.Tensor, seed: int) -> torch.Tensor:
    out = torch.zeros(x.size(), dtype=torch.int32, device=x.device)
    m, n, k = x.shape
    k = hl.specialize(k)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n, :] = hl.randint([tile_m, tile_n, k], 1, 7, seed=seed)
    return out


def _compiles(kernel, args, config=None) -> None:
    for result in kernel.bind(args, config).compile_for("sm_90"):
        assert result.registers > 0


@pytest.mark.parametrize("config", [None, {"block_sizes": [8], "reduction_loops": [16]}])
def test_layer_norm_through_var_mean(config):
    x, w, b = torch.randn(19, 72), torch.randn(72), torch.randn(72)
    bound = layer_norm_rows.bind((x, w, b, 1e-4), config)
    expected = torch.nn.functional.layer_norm(x.double(), [72], w.double(), b.double(), 1e-4)
    torch.testing.assert_close(
        on_device(bound)(x, w, b, 1e-4).double(), expected, rtol=1e-4, atol=1e-4
    )
    _compiles(layer_norm_rows, (x, w, b, 1e-4), config)


def test_var_mean_as_a_pair_indexed():
    x, scale = torch.randn(13, 41) + 2, torch.randn(41)
    xd = x.double()
    expected = (xd - xd.mean(1, keepdim=True)) / xd.std(1, keepdim=True) * scale.double()
    torch.testing.assert_close(
        on_device(standardised)(x, scale).double(), expected, rtol=1e-4, atol=1e-4
    )
    _compiles(standardised, (x, scale))


def test_var_mean_reduced_away():
    x, w = torch.randn(11, 30), torch.randn(30)
    product = x.double() * w.double()
    expected = product.var(dim=1) + product.mean(dim=1)
    torch.testing.assert_close(on_device(row_spread)(x, w).double(), expected, rtol=1e-4, atol=1e-4)
    _compiles(row_spread, (x, w))


@pytest.mark.parametrize("columns", [1, 6])
def test_rand_of_a_specialised_width(columns):
    out = on_device(noise_rows)(torch.empty(37, columns), 1337)
    expected = philox.philox_rand(1337, torch.arange(37 * columns).view(37, columns))
    assert torch.equal(out, expected)
    _compiles(noise_rows, (torch.empty(37, columns), 1337))


def test_randint_of_a_specialised_depth():
    x = torch.ones(9, 10, 8)
    out = on_device(dice_cube)(x, 7)
    assert torch.equal(out, dice_cube.reference(x, 7))
    assert set(out.unique().tolist()) == {1, 2, 3, 4, 5, 6}
    _compiles(dice_cube, (x, 7))
