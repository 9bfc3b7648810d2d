"""Probes (round 18): an int passed for a parameter annotated `float` beside an integer tensor.

Found in round 18: `x_int8[tile] * s` with `s: float` given 3 was computed in float32 (the
kernel casts a `float` parameter to float32), where eager torch computes `x * 3` in int8,
wrapping (100 * 3 → 44). Now the launcher refuses such a call, naming the line and `s=3.0`, the
float the annotation says (tensor_checks' `float_parameters=`); a float computes as torch, and
so does an int beside a float tensor (the same values either way)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel

CASES = {  # the expression, the integer dtype of x, torch's answer for a float s
    "the_user_s_product": ("x[tile] * s", torch.int8, lambda x, s: x * s),
    "a_sum_of_int16": ("x[tile] + s", torch.int16, lambda x, s: x + s),
    "a_where_of_int32": ("torch.where(x[tile] > s, x[tile] - s, s)", torch.int32,
                         lambda x, s: torch.where(x > s, x - s, torch.tensor(s, dtype=torch.float64))),
}  # fmt: skip


def float_kernel(expression: str) -> str:
    return kernel(
        "x: torch.Tensor, s: float",
        "    out = torch.empty(x.shape, dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        out[tile] = {expression}\n"
        "    return out\n",
    )


def integers(dtype: torch.dtype, n: int = 53) -> torch.Tensor:
    values = torch.randint(-100, 100, (n,), dtype=dtype)
    values[values == 0] = 7
    return values.to(DEVICE)


@pytest.mark.parametrize("s", [3, -7, True], ids=["three", "minus_seven", "true"])
@pytest.mark.parametrize("case", CASES)
def test_an_int_for_a_float_parameter_beside_an_integer_tensor_is_refused_at_the_launch(case, s):
    expression, dtype, _ = CASES[case]
    x = integers(dtype)
    launcher = generated(float_kernel(expression), "k", x, 2.5)
    message = rf"line 11 computes {dtype} x with s={s!r}, an int: .* pass s={float(s)!r}"
    with pytest.raises(TypeError, match=message):
        launcher(x, s)


@pytest.mark.parametrize("case", CASES)
def test_a_float_for_it_computes_as_torch(case):
    expression, dtype, truth = CASES[case]
    x, s = integers(dtype), 2.75
    got = generated(float_kernel(expression), "k", x, s)(x.clone(), s)
    torch.testing.assert_close(got.double().cpu(), truth(x.cpu().double(), s).double())


def test_an_int_for_it_beside_a_float_tensor_computes_as_torch():
    """float32 x * 3 is float32 x * 3.0: nothing to refuse."""
    x = (torch.rand(53, dtype=torch.float64) + 0.5).float().to(DEVICE)
    got = generated(float_kernel("x[tile] * s"), "k", x, 2.5)(x.clone(), 3)
    torch.testing.assert_close(got.double().cpu(), x.cpu().double() * 3, rtol=1e-6, atol=1e-6)
