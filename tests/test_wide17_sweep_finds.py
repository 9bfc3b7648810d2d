"""What benchmarks/lab/dtype_sweep.py found in float64 beyond the five attention-like kernels:
two more kernels that ran in Triton's interpreter and failed sm_90's compile (conftest compiles
every launch here for sm_90; a failed compile fails the test)."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, kernel_source, reference

FLOAT8 = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def to_e5m2(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.float8_e5m2, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].to(torch.float8_e5m2)
    return out


@helion.kernel()
def to_e4m3(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.float8_e4m3fn, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].to(torch.float8_e4m3fn)
    return out
"""


def test_an_in_place_sum_of_float64_products_into_float32():
    """composites.linear_k_loop, `acc += F.linear(x[tm, tk], w[tn, tk])` into a float32 acc:
    torch keeps acc float32 (in place), the loop's end casts the float64 sum back (was: no
    cast, 'acc is fp32 before this loop and fp64 after')."""
    x, w, b = (torch.randn(*s, dtype=torch.float64) for s in ((37, 29), (23, 29), (23,)))
    source = kernel_source("composites.py")
    ours = generated(source, "linear_k_loop", x, w, b)(x, w, b)
    exact = reference(source, "linear_k_loop")(x, w, b)
    assert ours.dtype == torch.float64
    torch.testing.assert_close(ours, exact, rtol=1e-6, atol=1e-6)  # float32's accumulator


def test_float64_scaled_and_rounded_to_e5m2():
    """float8.dequantize_to_e5m2 with float64 scales and bias: sm_90 converts no float64 to
    float8 ("Unsupported conversion from f64 to f8E5M2"); float8_of goes through float32."""
    q = (torch.randn(23, 45) * 2).to(torch.float8_e4m3fn)
    scales, bias = torch.rand(23, dtype=torch.float64) + 0.5, torch.randn(45, dtype=torch.float64)
    source = kernel_source("float8.py")
    ours = generated(source, "dequantize_to_e5m2", q, scales, bias)(q, scales, bias)
    exact = (q.double() * scales[:, None] + bias[None, :]).to(torch.float8_e5m2)
    assert torch.equal(ours.view(torch.uint8), exact.view(torch.uint8))


@pytest.mark.parametrize("dtype", [torch.float8_e5m2, torch.float8_e4m3fn], ids=str)
def test_float64_next_to_a_float8_tie_rounds_as_torch(dtype):
    """Values a hair off a tie between two float8 neighbours (1.125 + 2**-30): torch rounds
    float64 to float32 first (its float8 types are made from a float), where the hair is lost
    and the tie rounds to even (1.0, not 1.25); so does the kernel, which sm_90 compiles."""
    ties = {torch.float8_e5m2: [1.125, 1.375, 3.5, 0.3125], torch.float8_e4m3fn: [1.0625, 2.625]}
    hair = 2.0**-30
    values = [t + s * hair for t in ties[dtype] for s in (1, -1)] + [1.125, 2.0**-30]
    x = torch.tensor(values + [-v for v in values], dtype=torch.float64)
    name = "to_e5m2" if dtype == torch.float8_e5m2 else "to_e4m3"
    ours = generated(FLOAT8, name, x)(x)
    assert torch.equal(ours.view(torch.uint8), x.to(dtype).view(torch.uint8))


@pytest.mark.parametrize("name", ["normalize_rows", "normalize_l1", "norms_meet_a_row"])
def test_a_norm_of_integers_is_refused_at_the_launch_as_torch_refuses_it(name):
    """int32 x: torch's norms raise ("Expected a floating point or complex tensor"); the kernel
    failed inside Triton's interpreter and sm_90's compile (tl.sqrt of int32)."""
    x = torch.randint(1, 9, (37, 29), dtype=torch.int32)
    args = (x, torch.randn(29)) if name == "norms_meet_a_row" else (x,)
    with pytest.raises(RuntimeError, match="floating point"):
        torch.linalg.vector_norm(x, dim=-1)
    kernel = generated(kernel_source("composites.py"), name, *args)
    with pytest.raises(
        TypeError, match=r"line \d+: torch\S* takes floats, x is torch.int32: pass x.float\(\)"
    ):
        kernel(*args)
