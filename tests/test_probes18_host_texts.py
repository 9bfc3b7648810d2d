"""Probes (round 18): a string literal bound in host code is read as its text in device code.

Found in round 18: `approx = "tanh"` then `F.gelu(v, approximate=approx)` was refused ("is
not one of 'none', 'tanh'"): the name was a `tl.constexpr` flag (round 17), whose value no
keyword check could see. Now a name bound to a string literal is that text while transpiling
(HostInfo.texts), as the literal itself is; rebound, it is a flag again."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

CASES = {  # host lines, the device expression of v, torch's answer
    "the_user_s_gelu": ('    approx = "tanh"\n', "F.gelu(v, approximate=approx)",
                        lambda x: F.gelu(x, approximate="tanh")),
    "a_reduction_by_name": ('    mode = "amax"\n',
                            "v - (v.amax(-1, keepdim=True) if mode == 'amax' else v.mean(-1, keepdim=True))",
                            lambda x: x - x.amax(-1, keepdim=True)),
    "rounding_mode_text": ('    rounding = "fl" "oor"\n', "torch.div(v, 0.37, rounding_mode=rounding)",
                           lambda x: torch.div(x, 0.37, rounding_mode="floor")),
}  # fmt: skip


def _source(host: str, expression: str) -> str:
    return "import torch.nn.functional as F\n" + kernel(
        "x: torch.Tensor",
        host + "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        v = x[tile, :]\n"
        f"        out[tile, :] = {expression}\n"
        "    return out\n",
    )


@pytest.mark.parametrize("case", CASES)
def test_a_host_string_literal_is_read_as_its_text(case):
    host, expression, truth = CASES[case]
    source = _source(host, expression)
    assert_computes_as_torch(source, lambda: [signed_rand(19, 33).to(DEVICE)], truth)
