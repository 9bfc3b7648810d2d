"""Round 15: a flattened view of a whole host tensor indexed by a tile in device code
(`x.view(-1)[tile]`, `x.reshape(-1)[tile]`) was refused with a hint to write
`x[tile].view(...)`, which does not say the same. The launcher now binds the view before the
launch, as the host line `x_flat = x.view(-1)` would (lower/flat_views.py), and the kernel
indexes it through its own stride: right for every layout torch can view, a copy where
reshape / flatten make one (as eager reads it), and torch's own refusal, naming .reshape, for
a .view(-1) of a layout it cannot flatten. Each kernel is compared with torch in float64 and
compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

import transpiler

M, N = 7, 13  # 91 elements: the last tile of 64 partly masked


def _flat(read: str, store: str = "out[t]", out: str = "torch.empty([x.numel()], device=x.device)"):
    return kernel(
        "x: torch.Tensor",
        f"    out = {out}\n"
        "    for t in hl.tile(x.numel(), block_size=64):\n"
        f"        {store} = {read}\n"
        "    return out\n",
    )


CASES = {  # source, the argument, torch's answer
    "the_user_s_view": (_flat("x.view(-1)[t] * 2.0"), lambda: signed_rand(M, N).to(DEVICE),
                        lambda x: x.view(-1) * 2.0),
    "reshape_of_a_transposed_x": (  # no view exists: reshape copies, as eager reads it
        _flat("torch.exp(x.reshape(-1)[t])"), lambda: signed_rand(N, M).to(DEVICE).t(),
        lambda x: torch.exp(x.reshape(-1))),
    "stored_through_a_view_of_out": (
        _flat("x.flatten()[t] + x.view(-1)[t]", "out.view(-1)[t]", "torch.empty_like(x)"),
        lambda: signed_rand(3, M, N).to(DEVICE), lambda x: x + x),
    "a_strided_1d_view": (  # view(-1) of a stride-2 vector: stride 2, read through it
        _flat("x.view(-1)[t] - 0.5"), lambda: signed_rand(2 * M * N).to(DEVICE)[::2],
        lambda x: x - 0.5),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_flattened_host_tensor_indexed_by_a_tile(case):
    """was: refused ("x.view() on a whole host tensor inside a device loop", hint x[tile].view)."""
    source, argument, truth = CASES[case]
    make = lambda: [argument()]  # noqa: E731
    assert_computes_as_torch(source, make, truth)


def test_a_view_torch_cannot_make_is_refused_at_the_launch():
    """x.t().view(-1): torch refuses it (naming .reshape), at the launcher's line citing 11."""
    source = CASES["the_user_s_view"][0]
    x = signed_rand(N, M).t().to(DEVICE)
    launcher = generated(source, "k", x)
    with pytest.raises(RuntimeError, match="reshape"):
        launcher(x)


def test_the_launcher_names_the_line():
    code = transpiler.transpile(CASES["the_user_s_view"][0])
    assert "x_flat = x.view(-1)  # line 11 indexes it" in code
