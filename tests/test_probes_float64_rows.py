"""User-style probes of float64 rows walked in chunks (`reduction_loops`, the default for rows
wider than 16,384 on a GPU): their lanes were float32, so the loop changed their type (Triton's
sm_90 compiler refused every such kernel) and the interpreter's results were float32's."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, generated

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def row_sum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].sum(dim=-1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def row_var(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].var(dim=-1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def softmax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.softmax(x[tile_m, :], dim=-1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def layer_norm(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :]
        centred = row - row.mean(-1, keepdim=True)
        out[tile_m, :] = centred * torch.rsqrt((centred * centred).mean(-1, keepdim=True) + 1e-5)
    return out


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def best(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    values = torch.empty([m], dtype=x.dtype, device=x.device)
    indices = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        value, index = torch.max(x[tile_m, :], dim=-1)
        values[tile_m] = value
        indices[tile_m] = index
    return values, indices


@helion.kernel(config=helion.Config(block_sizes=[2], reduction_loops=[64]))
def row_min(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].amin(dim=-1)
    return out
"""

TRUTHS = {
    "row_sum": lambda x: x.sum(-1),
    "row_var": lambda x: x.var(-1),
    "softmax": lambda x: x.softmax(-1),
    "layer_norm": lambda x: F.layer_norm(x, x.shape[-1:], eps=1e-5),
    "best": lambda x: tuple(torch.max(x, -1)),
    "row_min": lambda x: x.amin(-1),
}


@pytest.mark.parametrize("width", [301, 64 * 3])  # a partial last chunk, and none
@pytest.mark.parametrize("name", list(TRUTHS))
def test_a_float64_row_in_chunks_computes_in_float64(name, width):
    x = (torch.randn(5, width, dtype=torch.float64) * 3 + 0.5).to(DEVICE)
    result = generated(SOURCE, name, x, filename="rows64.py")(x)
    expected = TRUTHS[name](x.cpu())
    for got, want in zip(
        result if isinstance(result, tuple) else (result,),
        expected if isinstance(expected, tuple) else (expected,),
        strict=True,
    ):
        assert got.dtype == want.dtype
        torch.testing.assert_close(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["row_sum", "row_var", "softmax"])
def test_float32_rows_keep_float32_lanes(name):
    x = torch.randn(5, 301, device=DEVICE)
    result = generated(SOURCE, name, x, filename="rows64.py")(x)
    torch.testing.assert_close(
        result.double(), TRUTHS[name](x.cpu().double()), rtol=2e-5, atol=2e-5
    )


def test_a_wide_float64_row_takes_the_default_chunks():
    """No config: a row over 16,384 lanes is walked in chunks of 4,096 by default."""
    source = SOURCE.replace("config=helion.Config(block_sizes=[2], reduction_loops=[64])", "")
    kernel = transpiler.kernels_from_source(source, filename="rows64.py")["softmax"]
    x = torch.randn(3, 20001, dtype=torch.float64, device=DEVICE) * 4
    torch.testing.assert_close(kernel(x), x.softmax(-1), rtol=1e-12, atol=1e-12)
    assert "reduction_loops" in repr(kernel.specialisations[-1].config)
