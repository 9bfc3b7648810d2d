"""Round 14: a torch.dtype passed as an argument and used in device code (`x[tile].to(dtype)`,
`hl.zeros([tile], dtype=dtype)`) was refused: "dtype=dtype of Tensor.to() must be a dtype", whose
hint said to pass a torch dtype, which the user had. The kernel is specialised on the dtype now,
as on a string or None (the launcher checks a call passes the same one; transpiler.kernel
transpiles once per dtype); without an example the error says the value is known only at the
call. Each kernel that runs is compared with torch in float64 and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

import transpiler

N = 45
CONVERTED = (
    "    out = torch.empty(x.shape, dtype=dtype, device=x.device)\n"
    "    for tile in hl.tile(x.size(0)):\n"
    "        out[tile] = EXPRESSION\n"
    "    return out\n"
)


def converted(expression: str, signature: str = "x: torch.Tensor, dtype: torch.dtype") -> str:
    return kernel(signature, CONVERTED.replace("EXPRESSION", expression))


@pytest.mark.parametrize("dtype", [torch.float16, torch.int32, torch.float64])
def test_a_block_converted_to_a_dtype_argument(dtype):
    """was: refused ("dtype=dtype of Tensor.to() must be a dtype")."""
    x = signed_rand(N).to(DEVICE) * 50
    got = generated(converted("x[tile].to(dtype)"), "k", x, dtype)(x, dtype)
    assert got.dtype == dtype
    assert torch.equal(got.cpu(), x.cpu().to(dtype))


def test_an_accumulator_of_a_dtype_argument():
    source = kernel(
        "x: torch.Tensor, y: torch.Tensor, acc_dtype: torch.dtype",
        "    out = torch.empty(x.shape, dtype=acc_dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        acc = hl.zeros([tile], dtype=acc_dtype)\n"
        "        acc += x[tile] * y[tile]\n"
        "        acc += x[tile]\n"
        "        out[tile] = acc\n"
        "    return out\n",
    )
    assert_computes_as_torch(
        source,
        lambda: [signed_rand(N).to(DEVICE).double(), signed_rand(N).to(DEVICE).double(), torch.float64],
        lambda x, y, dtype: x * y + x,
        bound={"rtol": 1e-13, "atol": 1e-13},
    )  # fmt: skip


def test_an_unannotated_dtype_argument_after_arithmetic():
    source = converted("(x[tile] * y[tile]).to(dtype) + 1", "x, y, dtype")
    assert_computes_as_torch(
        source,
        lambda: [signed_rand(N).to(DEVICE) * 9, signed_rand(N).to(DEVICE) * 9, torch.int32],
        lambda x, y, dtype: (x.float() * y.float()).to(dtype) + 1,
    )


def test_the_runtime_transpiles_once_per_dtype():
    built = transpiler.kernels_from_source(converted("x[tile].to(dtype) * 2"), filename="k.py")["k"]
    x = signed_rand(N).to(DEVICE) * 50
    for dtype in (torch.int16, torch.float64, torch.int16):
        got = built(x, dtype)
        assert got.dtype == dtype
        assert torch.equal(got.cpu(), x.cpu().to(dtype) * 2)


def test_another_dtype_than_the_one_transpiled_for_is_refused_at_the_launch():
    x = signed_rand(N).to(DEVICE)
    launcher = generated(converted("x[tile].to(dtype)"), "k", x, torch.float16)
    with pytest.raises(RuntimeError, match="transpiled for dtype = torch.float16"):
        launcher(x, torch.float32)


@pytest.mark.parametrize("signature", ["x: torch.Tensor, dtype: torch.dtype", "x, dtype"])
def test_without_an_example_the_dtype_is_known_only_at_the_call(signature):
    assert_refused_at(
        converted("x[tile].to(dtype)", signature), 11, "dtype)", "dtype",
        "known only when the kernel is called", "transpiler.kernel",
    )  # fmt: skip


def test_a_number_parameter_for_a_dtype_is_still_no_dtype():
    """A parameter annotated float is never a dtype: the error says what the argument must be,
    not that its value is known only at the call."""
    assert_refused_at(
        converted("x[tile].to(scale)", "x: torch.Tensor, scale: float, dtype: torch.dtype"),
        11, "scale)", "dtype=scale of Tensor.to() must be a dtype",
    )  # fmt: skip
