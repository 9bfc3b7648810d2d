"""Matrix products of float64 tiles into a float32 accumulator (`hl.zeros(..., torch.float32)`),
in each spelling: dot_into multiplies float64 factors in float64 and keeps the sum in the
accumulator's dtype (a loop carries it), so the interpreter is right and sm_90 compiles them.

What torch does with float64 factors and a float32 `acc` (torch 2.13, eager):
- `acc = acc + x @ y`: the sum is float64 (promotion); the loop keeps float32 here (a loop-carried
  value keeps its dtype in Triton), the store casts to out's dtype: float32-accurate sums.
- `acc += x @ y`: float32, the float64 product added in place: what dot_into computes.
- `torch.addmm(acc, x, y)`, `torch.baddbmm(acc, a, b)`: RuntimeError (dtypes differ); here the
  product is taken as for `acc += x @ y` (docs/language.md, "Products").
- `hl.dot(x, y, acc=acc)`: Helion takes no float64 factors; as `acc += x @ y` here.
A float64 accumulator with float64 factors is float64 throughout."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, assert_matches, one_line, transpiler_kernels

import transpiler
import transpiler.language as hl

MATRIX = transpiler_kernels("matrix.py")  # matmul (torch.addmm into acc) and bmm (torch.baddbmm)


@transpiler.kernel()
def summed(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + x[tile_m, tile_k] @ y[tile_k, tile_n]
        out[tile_m, tile_n] = acc
    return out


@transpiler.kernel()
def added_in_place(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += x[tile_m, tile_k] @ y[tile_k, tile_n]
        out[tile_m, tile_n] = torch.relu(acc)
    return out


@transpiler.kernel()
def scaled_dot(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """hl.dot with a factor scaled by a Python number (as_factor keeps it float64)."""
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            a = x[tile_m, tile_k]
            b = y[tile_k, tile_n] * 2.0
            acc = hl.dot(a, b, acc=acc)
        out[tile_m, tile_n] = acc * 0.5
    return out


@transpiler.kernel()
def wide_accumulator(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """A float64 accumulator: float64 factors multiply in float64, others in float32."""
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float64, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float64)
        for tile_k in hl.tile(k):
            acc = acc + x[tile_m, tile_k] @ y[tile_k, tile_n]
        out[tile_m, tile_n] = acc
    return out


@transpiler.kernel()
def wide_scaled_dot(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """hl.dot into a float64 accumulator, one factor scaled by a Python number."""
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float64, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float64)
        for tile_k in hl.tile(k):
            acc = hl.dot(x[tile_m, tile_k] * 0.25, y[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc * 4.0
    return out


@transpiler.kernel()
def whole_k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """No accumulator: a whole K too long for one tl.dot is summed in chunks (split_k.py), in
    the factors' dtype (float64 here), 16-bit ones in float32."""
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, :] @ y[:, tile_n]
    return out


@transpiler.kernel()
def column(x: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """N of 1 (tl.dot wants 16 lanes): a multiply summed over K, float64 factors in float64."""
    m, k = x.size()
    out = torch.empty([m, 1], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :] @ v[:, None]
    return out


def _matrices(dtype: torch.dtype, batch: int | None = None):
    lead = () if batch is None else (batch,)
    x = torch.rand(*lead, 37, 45, dtype=dtype, device=DEVICE) + 0.5
    y = torch.rand(*lead, 45, 19, dtype=dtype, device=DEVICE) - 1.5
    return x, y


CASES = {  # name: (kernel, batch, the float64 reference of the result)
    "acc = acc + x @ y": (summed, None, lambda x, y: x @ y),
    "acc += x @ y": (added_in_place, None, lambda x, y: torch.relu(x @ y)),
    "torch.addmm(acc, x, y)": (MATRIX.matmul, None, lambda x, y: x @ y),
    "hl.dot(a, b * 2.0, acc=acc)": (scaled_dot, None, lambda x, y: x @ y),
    "torch.baddbmm(acc, a, b)": (MATRIX.bmm, 3, torch.bmm),
}


@pytest.mark.parametrize("case", CASES)
def test_float64_factors_into_a_float32_accumulator(case):
    kernel, batch, reference = CASES[case]
    x, y = _matrices(torch.float64, batch)
    got = kernel(x, y)
    # float32-accurate: the accumulator is float32 (was off by up to ~5 before dot_into)
    assert_matches(got, reference(x, y), torch.float32)
    (result,) = kernel.bind((x, y)).compile_for("sm_90")
    assert result.fits
    assert ".f64.f64.f64.f64" in result.asm["ptx"]  # float64 tensor-core products (DMMA)


@pytest.mark.parametrize("case", CASES)
def test_float32_factors_are_as_before(case):
    """float32 factors: tl.dot into the accumulator on tensor cores as before (the same
    registers, shared memory and instruction mix on sm_90 as tl.dot(a, b, acc) gave)."""
    kernel, batch, reference = CASES[case]
    x, y = _matrices(torch.float32, batch)
    assert_matches(kernel(x, y), reference(x.double(), y.double()), torch.float32, dots=True)
    bound = kernel.bind((x, y))
    assert "dot_into(" in one_line(bound.triton_source)
    (result,) = bound.compile_for("sm_90")
    assert result.tensor_core_ops > 0 and ".f64.f64" not in result.asm["ptx"]


@pytest.mark.parametrize("kernel", [wide_accumulator, wide_scaled_dot], ids=lambda k: k.name)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16], ids=str)
def test_a_float64_accumulator(kernel, dtype):
    x, y = _matrices(dtype)
    got = kernel(x, y)
    assert got.dtype == torch.float64
    expected = x.double() @ y.double()
    if dtype == torch.float64:  # float64 throughout (the scaled factor too: as_factor)
        torch.testing.assert_close(got, expected, atol=1e-12, rtol=1e-12)
    else:  # float32 and float16 factors multiply in float32 (tl.dot), then add in float64
        assert_matches(got, expected, dtype, dots=True)
    (result,) = kernel.bind((x, y)).compile_for("sm_90")
    assert result.fits


def test_torch_refuses_the_mixed_addmm_that_the_kernel_computes():
    """The kernel is more lenient than eager torch here; written down so a change is seen."""
    x, y = _matrices(torch.float64)
    with pytest.raises(RuntimeError, match="dtype"):
        torch.addmm(torch.zeros(37, 19, device=DEVICE), x, y)
    acc = torch.zeros(37, 19, device=DEVICE)
    acc += x @ y
    assert (
        acc.dtype == torch.float32
        and (torch.zeros(37, 19, device=DEVICE) + x @ y).dtype == torch.float64
    )


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16], ids=str)
def test_a_whole_k_summed_in_chunks_keeps_the_factors_dtype(dtype):
    x = torch.rand(21, 301, dtype=dtype, device=DEVICE) + 0.5
    y = torch.rand(301, 13, dtype=dtype, device=DEVICE) - 1.5
    bound = whole_k.bind((x, y))
    assert "if SPLIT_K:" in bound.triton_source  # the chunked product is the one launched
    got = bound(x, y)
    if dtype == torch.float64:  # was float32-accurate: the chunks' sum began as float32 zeros
        torch.testing.assert_close(got, x @ y, atol=1e-12, rtol=1e-12)
    else:
        assert_matches(got, x.double() @ y.double(), dtype, dots=True)
    (result,) = bound.compile_for("sm_90")
    assert result.fits


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16], ids=str)
def test_a_matrix_times_a_column_keeps_float64(dtype):
    x = torch.rand(23, 45, dtype=dtype, device=DEVICE) + 0.5
    v = torch.rand(45, dtype=dtype, device=DEVICE) - 1.5
    got = column(x, v)
    expected = x.double() @ v.double()[:, None]
    if dtype == torch.float64:  # was float32-accurate: both factors went through float32
        torch.testing.assert_close(got, expected, atol=1e-12, rtol=1e-12)
    else:
        assert_matches(got, expected, dtype, dots=True)
    (result,) = column.bind((x, v)).compile_for("sm_90")
    assert result.fits
