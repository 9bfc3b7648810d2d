"""A product's factor that is a loaded tile times a scalar (lower/scaled_factors.py): the tile
goes to tl.dot as loaded and the product is scaled, where |scale| <= 1 (known, or tested by the
launcher); torch's rounding of `tile * scale` to the tile's dtype is all that differs. On
Hopper the factor is then read by wgmma from shared memory, not from registers (Helion's
attention example, issue 17)."""

from __future__ import annotations

import math
import re

import pytest
import torch
from helpers import assert_matches, on_device, one_line
from test_attention_spellings import (
    attention_4d,
    attention_unit_batch,
    config,
    exact_attention,
    spelling_inputs,
)

import transpiler
import transpiler.language as hl


@transpiler.kernel()
def scaled_bmm(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    b, m, _ = x.size()
    n = y.size(2)
    out = torch.empty([b, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([b, m, n]):
        rows = x[tile_b, tile_m, :]
        out[tile_b, tile_m, tile_n] = torch.bmm(rows * 0.125, y[tile_b, :, tile_n])
    return out


@transpiler.kernel()
def doubled_bmm(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    b, m, _ = x.size()
    n = y.size(2)
    out = torch.empty([b, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([b, m, n]):
        rows = x[tile_b, tile_m, :]
        out[tile_b, tile_m, tile_n] = torch.bmm(rows * 2.0, y[tile_b, :, tile_n])
    return out


@transpiler.kernel()
def divided_bmm(x: torch.Tensor, y: torch.Tensor, s: float) -> torch.Tensor:
    b, m, _ = x.size()
    n = y.size(2)
    out = torch.empty([b, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([b, m, n]):
        columns = y[tile_b, :, tile_n]
        out[tile_b, tile_m, tile_n] = torch.bmm(x[tile_b, tile_m, :], columns / s)
    return out


@transpiler.kernel()
def transposed_scaled_keys(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    m, n = q.size(0), k.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=q.device)
    for tile_m, tile_n in hl.tile([m, n]):
        keys = k[tile_n, :]
        keys_scaled = keys * 0.5
        out[tile_m, tile_n] = q[tile_m, :] @ keys_scaled.T
    return out


@transpiler.kernel()
def scaled_before_reassigned(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    b, m, _ = x.size()
    n = y.size(2)
    out = torch.zeros([b, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m in hl.tile([b, m], block_size=[2, None]):
        rows = x[tile_b, tile_m, :]
        total = hl.zeros([tile_b, tile_m, n], dtype=torch.float32)
        scaled = rows * 0.5
        for _ in hl.tile(3, block_size=1):
            total = total + torch.bmm(scaled, y[tile_b, :, :])
            rows = rows + 1.0  # after the product: its next iteration reads the old rows
        straight = rows * 0.25
        rows = rows - 2.0
        out[tile_b, tile_m, :] = total + torch.bmm(straight, y[tile_b, :, :])
    return out


def kernel_text(bound) -> str:
    return one_line(bound.triton_source)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize("shape", [(2, 32, 48, 16), (3, 21, 37, 19)], ids=["whole", "ragged"])
def test_a_constant_scale_moves_after_the_product(dtype, shape):
    b, m, k, n = shape
    torch.manual_seed(m)
    x, y = torch.randn(b, m, k, dtype=dtype), torch.randn(b, k, n, dtype=dtype)
    bound = scaled_bmm.bind((x, y), {"block_sizes": [2, 16, 16]})
    assert re.search(r"tl\.dot\(as_factor\(rows, [^*]*\) \* 0\.125", kernel_text(bound))
    assert "as_factor(rows * 0.125" not in bound.triton_source
    expected = x.double() @ y.double() * 0.125
    assert_matches(on_device(bound)(x, y), expected, dtype, dots=True)


def test_a_scale_past_one_stays_in_the_factor():
    """`x * 2.0` may overflow float16 where x does not: torch's rounding and its inf kept."""
    x = torch.full((2, 16, 16), 40000.0, dtype=torch.float16)
    y = torch.full((2, 16, 16), 1 / 16, dtype=torch.float16)
    bound = doubled_bmm.bind((x, y), {"block_sizes": [2, 16, 16]})
    assert "as_factor(rows * 2.0" in kernel_text(bound)
    assert torch.isinf(x * 2.0).all()  # torch's factor
    assert torch.isinf(on_device(bound)(x, y)).all()  # and so the product


def test_a_view_of_a_scaled_tile_stays_in_the_factor():
    """`keys_scaled.T`: a view of the scaling (the fact is the scaled value's alone)."""
    torch.manual_seed(5)
    q, k = torch.randn(33, 24, dtype=torch.float16), torch.randn(20, 24, dtype=torch.float16)
    bound = transposed_scaled_keys.bind((q, k), {"block_sizes": [16, 16]})
    assert "as_factor(tl.trans(keys_scaled)" in kernel_text(bound)
    expected = q.double() @ (k * 0.5).double().T
    assert_matches(on_device(bound)(q, k), expected, torch.float16, dots=True)


def test_a_tile_reassigned_after_its_scaling_stays_in_the_factor():
    """The scaled value outlives its tile's name: in a loop entered since (each iteration
    after the first would read the reassigned tile) and past an assignment."""
    torch.manual_seed(6)
    x, y = torch.randn(2, 16, 16), torch.randn(2, 16, 16)
    bound = scaled_before_reassigned.bind((x, y), {"block_sizes": [16]})
    assert "tl.dot(as_factor(rows," not in kernel_text(bound)
    expected = 3 * torch.bmm(x.double() * 0.5, y.double())
    expected += torch.bmm((x.double() + 3) * 0.25, y.double())
    assert_matches(on_device(bound)(x, y), expected, torch.float32, dots=True)


@pytest.mark.parametrize("s", [3.0, 0.5], ids=["scaled after", "as written"])
@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_a_scalar_argument_is_tested_by_the_launcher(s, dtype):
    """`y / s`, the second factor: the product divided by s where |s| >= 1 (a constexpr the
    launcher sets), else as written."""
    torch.manual_seed(int(s * 10))
    x, y = torch.randn(3, 37, 40, dtype=dtype), torch.randn(3, 40, 29, dtype=dtype)
    bound = divided_bmm.bind((x, y, s), {"block_sizes": [2, 16, 16]})
    code = kernel_text(bound)
    assert "S_AT_LEAST_ONE = isinstance(s, (int, float)) and abs(s) >= 1" in code
    assert re.search(r"tl\.dot\([^;]*as_factor\(columns, [^;]*\) / s if S_AT_LEAST_ONE else", code)
    expected = x.double() @ (y / s).double()  # torch's rounding of y / s: within a product's
    assert_matches(on_device(bound)(x, y, s), expected, dtype, dots=True)


def test_the_4d_spelling_matches_float64_with_the_scale_after_the_product():
    """Helion's spelling (`bmm(q * scale, k)`, the scale a host value): the launcher's test
    holds at attention's scale, so the interpreter runs the rewritten product."""
    torch.manual_seed(3)
    q, k, v = spelling_inputs(True, 4, 50, 37, 24, torch.float16)
    bound = attention_4d.bind((q, k, v), config("4-D, batch block from the config", 32, 16))
    assert "SCALE_AT_MOST_ONE" in bound.triton_source
    out, log_sums = on_device(bound)(q, k, v)
    assert_matches(out, exact_attention(q, k, v), torch.float16, dots=True)
    scores = q.double() @ k.double().transpose(-2, -1) / math.sqrt(24)
    # the base-2 log-sum-exp: float16's rounding of q * scale no longer in it
    assert (log_sums.double() - torch.logsumexp(scores, -1) / math.log(2)).abs().max() < 1e-4


def wgmma_from_registers(ptx: str) -> int:
    """wgmma instructions whose first factor is in registers (accumulators, then A's)."""
    return len(re.findall(r"wgmma\.mma_async[^;]*\{[^}]*\},\s*\{", ptx))


@pytest.mark.parametrize("block_m", [128, 64])
def test_the_4d_spellings_products_read_shared_memory_as_ours_do(block_m):
    """sm_90, bf16, the search's first config: the queries' product reads them from the TMA
    copy (SS wgmma, no ldmatrix), as the spelling with the load in the product does."""
    counts = {}
    for name, kernel, four_d in [
        ("unit batch", attention_unit_batch, False),
        ("4-D, batch block from the config", attention_4d, True),
    ]:
        args = spelling_inputs(four_d, 4, 256, 256, 128, torch.bfloat16)
        (result,) = kernel.bind(args, config(name, block_m, 128)).compile_for("sm_90")
        ptx = result.asm["ptx"]
        assert result.fits and result.spills == 0
        counts[name] = (ptx.count("wgmma.mma_async"), wgmma_from_registers(ptx))
        assert "ldmatrix" not in ptx
    assert counts["unit batch"] == counts["4-D, batch block from the config"]


def test_a_scaled_batched_product_reads_shared_memory():
    """Another kernel: a bf16 batched matmul of a scaled tile compiles to SS wgmma only."""
    x, y = torch.randn(4, 128, 64, dtype=torch.bfloat16), torch.randn(4, 64, 128).bfloat16()
    bound = scaled_bmm.bind((x, y), {"block_sizes": [1, 128, 128], "num_warps": 4})
    (result,) = bound.compile_for("sm_90")
    ptx = result.asm["ptx"]
    assert ptx.count("wgmma.mma_async") > 0 and wgmma_from_registers(ptx) == 0
