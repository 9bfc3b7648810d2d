"""Probes (round 13b) of conversions, views and dtype meetings refused though valid, or
refused with an unhelpful message: `x.type_as(y)` (was "torch op 'type_as' is not supported",
now `x.to(y.dtype)`, with y's dtype in memory: a float16 tensor's, not the float32 its loaded
values are computed in); `v.squeeze()` without a dim (was "this argument must be an integer
constant", then refused saying why; now the size-1 dimensions go, as torch's); an int tensor and a
float16 one meeting, refused at the launch by the line where they meet (the check used to join
every line's tensors: test_probes13b_values.py's halves). Each kernel that runs is compared
with torch and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_groups import assert_each_as_torch
from probe_kernels import kernel, one_loop
from torch_answers import assert_refused_at

N = 45
CONVERSIONS = {  # x: float32 * 3; h: float16; i: int32 in [-9, 9), never 0
    "type_as_a_half_block": ("x[tile].type_as(h[tile])", "h.dtype", lambda x, h, i: x.half()),
    "type_as_a_half_tensor": ("(x[tile] * 0.5).type_as(h)", "h.dtype", lambda x, h, i: (x * 0.5).half()),
    "type_as_an_int_block": ("x[tile].type_as(i[tile])", "i.dtype", lambda x, h, i: x.float().int()),
    "type_as_then_integer_arithmetic": ("(x[tile].type_as(i) + i[tile]) // 2", "i.dtype", lambda x, h, i: (x.float().int() + i) // 2),
    "type_as_float_of_ints": ("i[tile].type_as(x[tile]) / 4", "x.dtype", lambda x, h, i: i / 4),
    "rounded_to_half_and_back": ("x[tile].type_as(h[tile]).float() * 4", "x.dtype", lambda x, h, i: x.half().double() * 4),
}  # fmt: skip


def test_type_as_converts_to_the_tensors_dtype_in_memory():
    """was: refused ("torch op 'type_as' is not supported inside a device loop")."""
    i = torch.randint(-9, 9, (N,), device=DEVICE, dtype=torch.int32)
    i[i == 0] = 5
    args = [torch.randn(N, device=DEVICE) * 3, torch.randn(N, device=DEVICE).half(), i]
    assert_each_as_torch("x: torch.Tensor, h: torch.Tensor, i: torch.Tensor", CONVERSIONS, args)


ROWS = (
    "    m, n = x.shape\n"
    "    out = torch.empty([m], dtype=x.dtype, device=x.device)\n"
    "    for tile in hl.tile(m):\n"
    "        out[tile] = {expression}\n"
    "    return out\n"
)


def test_squeeze_without_a_dim_drops_the_kept_dim():
    """was: "this argument must be an integer constant", then refused saying why; the size-1
    dimension goes as torch's, the tile stays (a whole dimension's is refused:
    tests/test_valid17_squeeze.py)."""
    source = kernel(
        "x: torch.Tensor", ROWS.format(expression="x[tile, :].amax(-1, keepdim=True).squeeze()")
    )
    x = torch.randn(13, 29, dtype=torch.float64).float()
    result = generated(source, "k", x)(x)
    torch.testing.assert_close(result.double(), x.double().amax(-1), rtol=1e-6, atol=1e-6)


def test_type_as_of_a_number_is_refused_at_the_number():
    source = kernel("x: torch.Tensor", one_loop("x[tile].type_as(2.0)"))
    assert_refused_at(source, 11, "2.0", "type_as() takes a tensor", "v.to(torch.float32)")


MEETING = (
    "    out = torch.empty_like(x)\n"
    "    for tile in hl.tile(x.size(0)):\n"
    "        v = i[tile] * 2\n"
    "        out[tile] = h[tile] + v\n"
    "    return out\n"
)


def test_an_int_computed_value_meeting_a_half_is_refused_at_its_line():
    """torch rounds the ints to float16 first (the kernel would add them in float32): the
    launcher names the line where they meet, also through a value computed from the int tensor
    on a line before."""
    x = torch.randn(N, device=DEVICE)
    i = torch.randint(3000, 9000, (N,), device=DEVICE, dtype=torch.int32)
    h = torch.randn(N, device=DEVICE).half()
    source = kernel("x: torch.Tensor, i: torch.Tensor, h: torch.Tensor", MEETING)
    with pytest.raises(TypeError, match=r"torch.int32 i meets torch.float16 h \(line 12\)"):
        generated(source, "k", x, i, h)(x, i, h)
