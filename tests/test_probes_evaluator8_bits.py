"""Evaluator-style probes of bitwise not in device code (round 8): `~x[tile]` and
`torch.bitwise_not` of uint8 tensors (before round 8 a crash inside Triton's interpreter, which
made all ones as -1: run/interpreter_invert.py), beside int8, int16, int32, int64 and bool, in
1-D and 2-D, alone and inside masks; each against torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from torch_answers import assert_computes_as_torch

HEADER = """
import torch
import helion
import helion.language as hl
"""


def kernel(signature, body):
    return HEADER + f"\n@helion.kernel()\ndef k({signature}) -> torch.Tensor:\n{body}"


def bits(*shape, dtype=torch.uint8):
    """Random values over the dtype's range (both signs for signed ones; bool: half true)."""
    if dtype == torch.bool:
        return torch.rand(*shape, device=DEVICE) > 0.5
    info = torch.iinfo(dtype)
    low, high = max(info.min, -(2**31)), min(info.max, 2**31 - 1)
    return torch.randint(low, high, shape, device=DEVICE).to(dtype)


ONE_LOOP = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = EXPRESSION
    return out
"""

NOTS = {
    "operator": ("~x[tile]", lambda x: ~x),
    "torch_bitwise_not": ("torch.bitwise_not(x[tile])", lambda x: torch.bitwise_not(x)),
    "method": ("x[tile].bitwise_not()", lambda x: x.bitwise_not()),
    "twice": ("~~x[tile]", lambda x: x),
}
DTYPES = [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.bool]


@pytest.mark.parametrize("case", NOTS)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_bitwise_not_computes_as_torch(case, dtype):
    expression, truth = NOTS[case]
    source = kernel("x: torch.Tensor", ONE_LOOP.replace("EXPRESSION", expression))
    assert_computes_as_torch(source, lambda: [bits(301, dtype=dtype)], truth)


def test_uint8_not_inside_a_mask_2d_computes_as_torch():
    body = (
        "    m, n = x.size()\n    out = torch.empty_like(x)\n"
        "    for tm, tn in hl.tile([m, n]):\n"
        "        out[tm, tn] = (x[tm, tn] & ~y[tm, tn]) | (~x[tm, tn] & y[tm, tn])\n"
        "    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor, y: torch.Tensor", body),
        lambda: [bits(37, 29), bits(37, 29)],
        lambda x, y: x ^ y,
    )


def test_uint8_not_as_a_number_computes_as_torch():
    """`~` of uint8 then arithmetic in float: 255 - x, as torch."""
    body = (
        "    out = torch.empty([x.size(0)], dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n        out[tile] = (~x[tile]).float() * 0.5\n"
        "    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body), lambda: [bits(1001)], lambda x: (~x).float() * 0.5
    )
