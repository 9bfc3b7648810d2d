"""Probes (round 14a) of an int argument meeting an integer tensor, against torch.

Found silently wrong in round 14a: Triton types an int argument past int32 as int64 and
computes `x_int32[tile] + b` in int64, where torch keeps int32 and wraps (`x + (2**33 + 3)`
stored to an int64 output gave 8589934587 for -5; torch: -2). The launcher's range of the ints
a tensor meets (check_tensors' `numbers=`) now holds the arguments' values too, so such a call
is refused at the launch, naming the line and the conversion; inside int32 it runs."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel

EXPRESSIONS = {
    "sum": ("(x[tile] + b) // 3", lambda x, b: (x + b) // 3),
    "product": ("x[tile] * b - 1", lambda x, b: x * b - 1),
    "quotient": ("x[tile] // b", lambda x, b: x // b),
    "bound": ("torch.where(x[tile] < b, x[tile], b)", lambda x, b: torch.where(x < b, x, b)),
}


def int_kernel(expression: str, annotation: str = ": int") -> str:
    return kernel(
        f"x: torch.Tensor, b{annotation}",
        "    out = torch.empty([x.size(0)], dtype=torch.int64, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        out[tile] = {expression}\n"
        "    return out\n",
    )


def int32s(n=41):
    values = torch.randint(-1000, 1000, (n,), dtype=torch.int32)
    values[values == 0] = 7
    return values.to(DEVICE)


@pytest.mark.parametrize("b", [2**31 - 1, -(2**31), 12345, -3])
@pytest.mark.parametrize("case", EXPRESSIONS, ids=list(EXPRESSIONS))
def test_an_int_argument_inside_int32_computes_as_torch(case, b):
    expression, truth = EXPRESSIONS[case]
    x = int32s()
    got = generated(int_kernel(expression), "k", x, b)(x.clone(), b)
    assert torch.equal(got.cpu(), truth(x.cpu(), b).long())


@pytest.mark.parametrize("b", [2**31, 2**33 + 3, -(2**31) - 1])
@pytest.mark.parametrize("annotation", [": int", ""], ids=["annotated", "unannotated"])
@pytest.mark.parametrize("case", ["sum", "product", "bound"])
def test_an_int_argument_past_int32_is_refused_at_the_launch(case, annotation, b):
    """was: computed in int64 (Triton's type of such an argument), torch wraps in int32."""
    expression, _ = EXPRESSIONS[case]
    x = int32s()
    launcher = generated(int_kernel(expression, annotation), "k", x, 5)
    with pytest.raises(TypeError, match=r"line 11 computes with torch.int32 x and an int: "
                       r"convert x first, \.to\(torch\.int64\)"):  # fmt: skip
        launcher(x, b)


def test_an_int64_tensor_takes_an_argument_past_int32():
    """The refusal is by the tensor's dtype: int64 holds the argument, as torch computes."""
    x = int32s().long()
    b = 2**33 + 3
    got = generated(int_kernel("x[tile] * b - 1"), "k", x, b)(x.clone(), b)
    assert torch.equal(got.cpu(), x.cpu() * b - 1)
