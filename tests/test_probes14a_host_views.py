"""Probes (round 14a) of tensors the host code makes from the arguments before a device loop
(`x = x.unsqueeze(0)`, `xt = x.t().contiguous()`, `x = x.float()`), tiled by their `.size()`,
each against torch in float64, each launch also compiled for sm_90 (conftest).

Found in round 14a:
- silently wrong: a parameter bound again to a view of another rank kept the rank of its
  example argument (`x = x.unsqueeze(0)`, then `hl.tile(x.size())` over a 2-D x: two tiles over
  a 3-D tensor, the output left unwritten); `x = x.flatten()` / `x = x.sum(0)` crashed at the
  launch with an IndexError. A name bound again forgets its argument's rank (frontend/host.py).
- refused though valid: the rank of a view or conversion of an argument (`x.t()`, `x.float()`,
  `x.permute(1, 0)`, `x.mT`, `x.to(torch.float32)`, `x.contiguous()` bound again) was unknown
  ("known only when the kernel is called", with example arguments given). `HostInfo._view_rank`
  follows the views that keep or name a rank; where it cannot (`x.sum(0)`), the error names
  the host code and the fix (name the sizes)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

import transpiler


def r(*shape):
    return torch.randn(*shape, device=DEVICE)


def tiled(host: str, target: str = "xt") -> str:
    """`host` lines, then `target + 1` over every tile of `target`'s sizes."""
    lines = "".join(f"    {line}\n" for line in host.split("; "))
    return kernel(
        "x: torch.Tensor",
        lines + f"    out = torch.empty_like({target})\n"
        f"    for tile in hl.tile({target}.size()):\n"
        f"        out[tile] = {target}[tile] + 1\n"
        "    return out\n",
    )


REBOUND = {  # the parameter bound again to a tensor of another rank (or its own)
    "unsqueezed": ("x = x.unsqueeze(0)", lambda x: x.unsqueeze(0) + 1),
    "flattened": ("x = x.flatten()", lambda x: x.flatten() + 1),
    "permuted_then_unsqueezed": ("x = x.permute(1, 0).unsqueeze(1)", lambda x: x.t().unsqueeze(1) + 1),
    "contiguous_then_named": ("x = x.contiguous(); xt = x", lambda x: x + 1),
}  # fmt: skip


@pytest.mark.parametrize("case", REBOUND, ids=list(REBOUND))
def test_a_parameter_bound_again_has_its_new_rank(case):
    """was: `unsqueezed` left the output unwritten (tiled as 2-D), `flattened` an IndexError."""
    host, truth = REBOUND[case]
    target = "xt" if "xt =" in host else "x"
    assert_computes_as_torch(tiled(host, target), lambda: [r(7, 9)], truth)


VIEWS = {  # a new name for a view or conversion of the argument
    "t": ("xt = x.t()", lambda x: x.t() + 1),
    "t_contiguous": ("xt = x.t().contiguous()", lambda x: x.t() + 1),
    "permute": ("xt = x.permute(1, 0)", lambda x: x.t() + 1),
    "mT": ("xt = x.mT", lambda x: x.t() + 1),
    "float_contiguous": ("xt = x.float().contiguous()", lambda x: x + 1),
    "to_float32": ("xt = x.to(torch.float32)", lambda x: x + 1),
    "transpose_clone": ("xt = x.transpose(0, 1).clone()", lambda x: x.t() + 1),
}  # fmt: skip


@pytest.mark.parametrize("case", VIEWS, ids=list(VIEWS))
def test_views_of_an_argument_have_its_rank(case):
    """was: RankUnknownError "the rank of 'xt' is known only when the kernel is called"."""
    host, truth = VIEWS[case]
    assert_computes_as_torch(tiled(host), lambda: [r(7, 9)], truth)


def test_a_view_of_a_3d_argument_reduced_along_its_rows_computes_as_torch():
    source = kernel(
        "x: torch.Tensor",
        "    xp = x.permute(2, 0, 1)\n"
        "    b, m, n = xp.size()\n"
        "    out = torch.empty([b, m], dtype=torch.float32, device=x.device)\n"
        "    for tb, tm in hl.tile([b, m]):\n"
        "        out[tb, tm] = xp[tb, tm, :].sum(-1)\n"
        "    return out\n",
    )
    assert_computes_as_torch(source, lambda: [r(5, 6, 3)], lambda x: x.permute(2, 0, 1).sum(-1))


def test_a_rank_the_host_code_hides_is_refused_with_the_fix():
    """`x = x.sum(0)`: the transpiler does not follow a reduction's rank; the error says so
    (not "known only when the kernel is called", which the example arguments answered)."""
    source = tiled("x = x.sum(0)", "x")
    line = source.splitlines().index("    for tile in hl.tile(x.size()):") + 1
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(source, "k", r(7, 9))
    text = str(caught.value)
    assert f":{line}:" in text and "the host code makes 'x' by a call" in text, text
    assert "a, b = x.size()" in text, text


def test_a_view_of_the_same_rank_under_a_host_if_keeps_the_rank():
    """`if flag: x = x.contiguous()`: every branch binds x to a view of its rank, so the rank
    stays known (a name bound under an `if` is otherwise forgotten)."""
    source = kernel(
        "x: torch.Tensor, flag: bool",
        "    if flag:\n"
        "        x = x.contiguous()\n"
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size()):\n"
        "        out[tile] = x[tile] * 3\n"
        "    return out\n",
    )
    assert_computes_as_torch(source, lambda: [r(9, 7).t(), True], lambda x, flag: x * 3)


def test_a_bias_made_2d_under_a_host_if_is_indexed_with_its_new_rank():
    """was: IndexRankError "2 indices for 'bias', which has 1 dimension" (its argument's)."""
    source = kernel(
        "x: torch.Tensor, bias: torch.Tensor",
        "    if bias.dim() == 1:\n"
        "        bias = bias.unsqueeze(0)\n"
        "    out = torch.empty_like(x)\n"
        "    for tm, tn in hl.tile(x.size()):\n"
        "        out[tm, tn] = x[tm, tn] + bias[0, tn]\n"
        "    return out\n",
    )
    assert_computes_as_torch(source, lambda: [r(7, 9), r(9)], lambda x, bias: x + bias)


OPTIONAL_BIAS = kernel(
    "x: torch.Tensor, bias: torch.Tensor | None = None",
    "    if bias is not None:\n"
    "        bias = bias.float()\n"
    "    out = torch.empty_like(x)\n"
    "    for tm, tn in hl.tile(x.size()):\n"
    "        v = x[tm, tn]\n"
    "        if bias is not None:\n"
    "            v = v + bias[tn]\n"
    "        out[tm, tn] = v\n"
    "    return out\n",
)


@pytest.mark.parametrize("given", ["tensor", "none"])
def test_an_optional_bias_converted_under_its_test_is_still_tested_in_the_loop(given):
    """was: UnsupportedConstructError "`is` between values inside a device loop" (the name
    bound again was no argument); a method of None raises, so bias is None where it was."""
    bias = r(9) if given == "tensor" else None
    truth = (lambda x, b: x + b) if bias is not None else (lambda x, b: x)
    assert_computes_as_torch(OPTIONAL_BIAS, lambda: [r(7, 9), bias], truth)


def test_an_optional_bias_kernel_refuses_the_other_choice_at_the_launch():
    x = r(7, 9)
    launcher = generated(OPTIONAL_BIAS, "k", x, r(9))
    with pytest.raises(RuntimeError, match="transpiled for bias = a tensor"):
        launcher(x, None)
