"""Evaluator-style probes of float64 rows (round 12), compared with torch to 1e-13: Python
floats met in arithmetic, comparisons, clamps and wheres, math and torch constants, float64
math functions, float64 row reductions and a float64 matrix product.

Found silently wrong in round 12: Triton types a Python float met by tl.maximum / tl.minimum or
a comparison as float32 whatever the tensor beside it, so `torch.clamp(x, max=0.1)`, hardtanh,
threshold and `x.abs() > 0.1` of float64 rows used 0.10000000149 (clamped values 1.5e-9 off, a
value 1e-11 above 0.1 compared below it). torch.pi was refused as a module used as a value."""

from __future__ import annotations

import torch
from helpers import DEVICE, generated
from probe_groups import assert_each_as_torch
from probe_kernels import kernel

import transpiler as helion
import transpiler.language as hl

M, N = 37, 53
F64 = "torch.float64"


def near_a_tenth(n=N):
    """float64 values a hair around 0.1 and -0.1 (float32's 0.1 is 1.5e-9 above), and others."""
    values = torch.randn(n, device=DEVICE, dtype=torch.float64)
    values[0::4] = 0.1 + 1e-11
    values[1::4] = -0.1 - 1e-11
    values[2::8] = 0.1
    return values


NUMBERS = {  # x: float64 around 0.1, -0.1 and elsewhere
    "times_a_tenth": ("x[tile] * 0.1", "x.dtype", lambda x: x * 0.1),
    "over_three_point_three": ("x[tile] / 3.3", "x.dtype", lambda x: x / 3.3),
    "plus_1e20": ("x[tile] + 1e20", "x.dtype", lambda x: x + 1e20),
    "times_1e_300": ("x[tile] * 1e-300 * 1e300", "x.dtype", lambda x: x * 1e-300 * 1e300),
    "times_math_pi": ("x[tile] * math.pi", "x.dtype", lambda x: x * torch.pi),
    "times_torch_pi": ("x[tile] * torch.pi + torch.e", "x.dtype", lambda x: x * torch.pi + torch.e),
    "plus_full_like": ("x[tile] + torch.full_like(x[tile], 0.1)", "x.dtype", lambda x: x + 0.1),
    "plus_hl_full": ("x[tile] + hl.full([tile], 0.1, dtype=torch.float64)", "x.dtype", lambda x: x + 0.1),
    "where_a_tenth": ("torch.where(x[tile] > 0, x[tile], 0.1)", "x.dtype", lambda x: torch.where(x > 0, x, 0.1)),
    "clamp_both": ("torch.clamp(x[tile], -0.1, 0.3)", "x.dtype", lambda x: x.clamp(-0.1, 0.3)),
    "clamp_max": ("torch.clamp(x[tile], max=0.1)", "x.dtype", lambda x: x.clamp(max=0.1)),
    "clamp_of_abs": ("torch.clamp(x[tile].abs(), 0.05, 0.1)", "x.dtype", lambda x: x.abs().clamp(0.05, 0.1)),
    "clamp_min_method": ("x[tile].clamp_min(0.1)", "x.dtype", lambda x: x.clamp_min(0.1)),
    "hardtanh": ("torch.nn.functional.hardtanh(x[tile], -0.1, 0.1)", "x.dtype", lambda x: torch.nn.functional.hardtanh(x, -0.1, 0.1)),
    "threshold": ("torch.nn.functional.threshold(x[tile], 0.1, 2.0)", "x.dtype", lambda x: torch.nn.functional.threshold(x, 0.1, 2.0)),
    "loaded_above": ("x[tile] > 0.1", "torch.bool", lambda x: x > 0.1),
    "loaded_equal": ("x[tile] == 0.1", "torch.bool", lambda x: x == 0.1),
    "computed_above": ("x[tile].abs() > 0.1", "torch.bool", lambda x: x.abs() > 0.1),
    "computed_at_least": ("torch.where(x[tile].abs() >= 0.1, 1.0, 0.0)", "x.dtype", lambda x: torch.where(x.abs() >= 0.1, 1.0, 0.0)),
    "computed_below": ("(-x[tile] < -0.1).to(torch.int32)", "torch.int32", lambda x: (-x < -0.1).int()),
    "exp": ("torch.exp(x[tile])", "x.dtype", torch.exp),
    "log": ("torch.log(x[tile].abs())", "x.dtype", lambda x: x.abs().log()),
    "rsqrt": ("torch.rsqrt(x[tile].abs())", "x.dtype", lambda x: x.abs().rsqrt()),
    "sigmoid": ("torch.sigmoid(x[tile])", "x.dtype", torch.sigmoid),
    "tanh": ("torch.tanh(x[tile])", "x.dtype", torch.tanh),
    "sin": ("torch.sin(x[tile])", "x.dtype", torch.sin),
    "power": ("x[tile].abs() ** 0.3", "x.dtype", lambda x: x.abs() ** 0.3),
    "erf": ("torch.erf(x[tile])", "x.dtype", torch.erf),
    "silu": ("torch.nn.functional.silu(x[tile])", "x.dtype", torch.nn.functional.silu),
    "log1p_expm1": ("torch.log1p(x[tile].abs()) + torch.expm1(x[tile] * 1e-3)", "x.dtype", lambda x: x.abs().log1p() + (x * 1e-3).expm1()),
}  # fmt: skip


def test_python_floats_and_math_of_float64_rows_compute_as_torch_to_1e13():
    """was: the clamps, hardtanh, threshold and the computed comparisons used float32's 0.1."""
    assert_each_as_torch("x: torch.Tensor", NUMBERS, [near_a_tenth()], tight=True)


ROWS = {  # x: [M, N] float64
    "sum": ("x[tile, :].sum(-1)", "x.dtype", lambda x: x.sum(-1)),
    "mean": ("x[tile, :].mean(-1)", "x.dtype", lambda x: x.mean(-1)),
    "var": ("x[tile, :].var(-1)", "x.dtype", lambda x: x.var(-1)),
    "logsumexp": ("torch.logsumexp(x[tile, :], -1)", "x.dtype", lambda x: x.logsumexp(-1)),
    "rms_with_eps": ("torch.rsqrt(x[tile, :].pow(2).mean(-1) + 1e-6)", "x.dtype", lambda x: torch.rsqrt(x.pow(2).mean(-1) + 1e-6)),
    "softmax": ("torch.softmax(x[tile, :], -1)", "x.dtype", lambda x: x.softmax(-1), "x.shape"),
    "cumsum": ("torch.cumsum(x[tile, :], -1)", "x.dtype", lambda x: x.cumsum(-1), "x.shape"),
    "layer_norm_eps": ("torch.nn.functional.layer_norm(x[tile, :], [n], eps=0.1)", "x.dtype", lambda x: torch.nn.functional.layer_norm(x, [N], eps=0.1), "x.shape"),
    "clamped_row_max": ("torch.clamp(x[tile, :].amax(-1), max=0.1)", "x.dtype", lambda x: x.amax(-1).clamp(max=0.1)),
}  # fmt: skip


def test_float64_row_reductions_compute_as_torch_to_1e13():
    x = torch.randn(M, N, device=DEVICE, dtype=torch.float64)
    assert_each_as_torch("x: torch.Tensor", ROWS, [x], rows=True, tight=True)


@helion.kernel(config=helion.Config(block_sizes=[16, 32, 8]))
def scaled_product(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.shape
    n = b.size(1)
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float64)
        for tile_k in hl.tile(k):
            acc += a[tile_m, tile_k] @ b[tile_k, tile_n]
        out[tile_m, tile_n] = torch.clamp(acc * 0.1, min=-0.3)
    return out


def test_a_float64_product_scaled_and_clamped_computes_as_torch_to_1e12():
    a = torch.randn(M, 19, device=DEVICE, dtype=torch.float64)
    b = torch.randn(19, N, device=DEVICE, dtype=torch.float64)
    expected = ((a @ b) * 0.1).clamp(min=-0.3)
    torch.testing.assert_close(scaled_product(a, b), expected, rtol=1e-12, atol=1e-12)


def test_torch_constants_inside_a_device_loop_are_numbers():
    """was: "the module 'torch.pi' used as a value" at transpile time."""
    body = (
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = torch.where(x[tile] > 0, x[tile] * torch.pi, -torch.inf)\n"
        "    return out\n"
    )
    x = near_a_tenth()
    got = generated(kernel("x: torch.Tensor", body), "k", x)(x)
    x = x.cpu()  # `generated` returns results on the CPU
    assert torch.equal(got, torch.where(x > 0, x * torch.pi, -torch.inf))
