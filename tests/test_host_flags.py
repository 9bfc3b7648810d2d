"""Flags computed in host code (`big = x.size(0) > 30`) read by a device loop: specialised on
(a `tl.constexpr`), as a bool argument is; a host comparison of tensors stays a tensor."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

import transpiler

KERNEL = """\
import torch
import helion
import helion.language as hl

@helion.kernel(config=helion.Config(block_sizes=[16]))
def flagged(x: torch.Tensor, limit: float) -> torch.Tensor:
    out = torch.empty_like(x)
    {host}
    for tile in hl.tile(out.size(0)):
        {device}
    return out
"""

# (host code, the device loop's body, torch's result for x and limit)
CASES = [
    ("big = x.size(0) > 30", "out[tile] = x[tile] * 2 if big else x[tile]",
     lambda x, limit: x * 2 if x.size(0) > 30 else x),
    ("small = not x.size(0) > 30 and limit > 0.0",
     "v = x[tile]\n        if small:\n            v = v + limit\n        out[tile] = v",
     lambda x, limit: x + limit if (not x.size(0) > 30 and limit > 0.0) else x),
    ("wide = x.shape[0] >= 2 * 16\n    keep = bool(wide) or limit < -1.0",
     "out[tile] = torch.where(x[tile] > limit, x[tile], -x[tile]) if keep else x[tile] - 1",
     lambda x, limit: torch.where(x > limit, x, -x) if x.size(0) >= 32 or limit < -1 else x - 1),
]  # fmt: skip


@pytest.mark.parametrize(("host", "device", "eager"), CASES)
@pytest.mark.parametrize("size", [17, 45])
@pytest.mark.parametrize("limit", [0.25, -2.0])
def test_a_host_flag_specialises_the_device_loop(host, device, eager, size, limit):
    source = KERNEL.format(host=host, device=device)
    code = transpiler.transpile_module(source, filename="kernels.py").code
    flag = host.split(" = ")[-2].split()[-1] if "\n" in host else host.split(" = ")[0]
    assert f"{flag}: tl.constexpr" in code, code
    x = torch.randn(size, dtype=torch.float64).float() + 0.125
    torch.testing.assert_close(generated(source, "flagged", x, limit)(x, limit), eager(x, limit))


def test_a_host_comparison_of_tensors_is_a_tensor_not_a_flag():
    source = KERNEL.format(
        host="positive = x > limit", device="out[tile] = torch.where(positive[tile], x[tile], 0.0)"
    )
    code = transpiler.transpile_module(source, filename="kernels.py").code
    assert "positive: tl.constexpr" not in code, code
    x = torch.randn(37) + 0.125
    torch.testing.assert_close(
        generated(source, "flagged", x, 0.3)(x, 0.3), torch.where(x > 0.3, x, 0.0)
    )
