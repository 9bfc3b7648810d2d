"""Probes (round 18): float64 values converted to a float8 tensor's dtype (`v.to(y.dtype)`).

Found in round 18: `x[tile].to(y.dtype)` of float64 x and float8 y was a plain `.to`, which
Triton's interpreter runs but sm_90 refuses to compile ("Unsupported conversion from f64 to
f8"). Now a conversion to a dtype known only at the launch, of a value that may be float64 and
does not come from that tensor, goes through float8_of (float64 through float32 to a float8
dtype, as torch converts; any other dtype as `.to`) (views.cast_to)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel

import transpiler

CASES = {  # the stored expression, torch's answer
    "the_user_s_cast": ("x[tile].to(y.dtype)", lambda x, w, y: x.to(y.dtype)),
    "a_product": ("(x[tile] * w[tile]).to(y.dtype)", lambda x, w, y: (x * w).to(y.dtype)),
    "a_float32_sum_with_float64": ("(y[tile].float() + x[tile]).to(y.dtype)",
                                   lambda x, w, y: (y.float() + x).to(y.dtype)),
}  # fmt: skip


def _source(expression: str) -> str:
    return kernel(
        "x: torch.Tensor, w: torch.Tensor, y: torch.Tensor",
        "    out = torch.empty_like(y)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        out[tile] = {expression}\n"
        "    return out\n",
    )


@pytest.mark.parametrize("float8", [torch.float8_e4m3fn, torch.float8_e5m2], ids=["e4m3", "e5m2"])
@pytest.mark.parametrize("case", CASES)
def test_float64_values_to_a_float8_tensor_s_dtype_convert_as_torch(case, float8):
    expression, truth = CASES[case]
    x = (torch.randn(61, dtype=torch.float64) * 5).to(DEVICE)
    w = (torch.rand(61, dtype=torch.float64) + 0.25).to(DEVICE)
    y = (torch.randn(61) * 3).to(float8).to(DEVICE)
    got = generated(_source(expression), "k", x, w, y)(x, w, y)
    expected = truth(x.cpu(), w.cpu(), y.cpu())
    assert got.dtype == float8
    assert torch.equal(got.cpu().double(), expected.double())


def test_a_cast_to_a_dtype_of_a_tensor_the_value_comes_from_stays_a_plain_to():
    """`(x[tile] * 2).to(x.dtype)`: a float8 x meets no float64 (torch promotes float8 with no
    other dtype), so no helper."""
    source = _source("(x[tile] * 2).to(x.dtype)")
    code = transpiler.transpile(source)
    assert "float8_of" not in code
    assert ".to(x_ptr.dtype.element_ty)" in code
