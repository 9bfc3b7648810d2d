"""Probes (round 13b) of products into an accumulator whose factors have two dtypes: a float16
tile times a float32 one (`hl.dot(a, b, acc=acc)`, `acc += a @ b`, `torch.addmm(acc, a, b)`).
Helion's hl.dot multiplies them in their promoted dtype; the generated `dot_into` passed them to
tl.dot as they were, which Triton refuses ("Both operands must be same dtype. Got fp16 and
fp32", inside the interpreter or the GPU compiler, at no line of the user's). Now both as
float32. Each against the float64 product; each kernel also compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

BODY = """    m, kk = a.shape
    _, n = b.shape
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(kk):
            {step}
        out[tile_m, tile_n] = acc
    return out
"""
CONFIG = "@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))"
STEPS = {
    "hl_dot_into_acc": "acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)",
    "plus_equals_product": "acc += a[tile_m, tile_k] @ b[tile_k, tile_n]",
    "addmm": "acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n])",
}


@pytest.mark.parametrize("name", STEPS)
@pytest.mark.parametrize("halves", ["a", "b"])
def test_a_half_times_a_float_factor_accumulates_as_float32(name, halves):
    """was: Triton's "Both operands must be same dtype" from inside tl.dot."""

    def make():
        a = torch.randn(37, 41, device=DEVICE)
        b = torch.randn(41, 29, device=DEVICE)
        return [a.half(), b] if halves == "a" else [a, b.half()]

    source = kernel("a: torch.Tensor, b: torch.Tensor", BODY.format(step=STEPS[name]), CONFIG)
    # the factors exact in float32; a GPU's float32 tl.dot is TF32 unless asked (as Helion's)
    bound = {"rtol": 1e-4, "atol": 1e-4} if DEVICE == "cpu" else {"rtol": 2e-2, "atol": 2e-2}
    assert_computes_as_torch(source, make, lambda a, b: a @ b, bound=bound)
