"""Probes (round 19): 0-d tensors the host code makes before a device loop, read in the loop.

Found in round 19: `s = x.sum() / x.numel()` was taken for a Python float (a true division),
so the launcher passed the tensor where the kernel took a float32 (Triton's interpreter: "cannot
cast [94671125670208] to fp32", naming no line). `s = torch.rsqrt(x.var() + 1e-5)` and `s =
torch.tensor(2.5, device=...)` were tensors of unknown rank ("the whole tensor 's' used as a
value", hint `s[tile]`, which torch refuses for a 0-d tensor); `s = x[0]`, `(x * x).mean().sqrt()`,
`x.max() + x.min()` and `x.abs().amax().clamp(min=1e-6)` were refused at the launch ("s must be a
number, not Tensor"); `lo, hi = x.min(), x.max()` (names bound in pairs) passed the tensors as
numbers (an InterpreterError inside Triton), as were `s /= x.numel()`, `s = s * 2` of a 0-d s
and `s = t.max()` of `t = x.abs()`, and a name bound under an `if`, `with` or `try`. Now host_zero_dim.py knows them for 0-d tensors (device code loads their
one element, as for `x.sum()`), and `makes_tensor` keeps tensors out of the Python floats; each
against torch in float64, each launch also compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

import transpiler

LOOP = """    {setup}
    out = torch.empty_like(x)
    for tm, tn in hl.tile(x.size()):
        out[tm, tn] = {use}
    return out
"""
ZERO_DIM = {  # the host line, the loop's expression, torch's answer
    "the_user_s_mean_by_numel": ("s = x.sum() / x.numel()", "x[tm, tn] - s",
                                 lambda x: x - x.sum() / x.numel()),
    "the_user_s_rsqrt_of_var": ("s = torch.rsqrt(x.var() + 1e-5)", "x[tm, tn] * s",
                                lambda x: x * torch.rsqrt(x.var() + 1e-5)),
    "a_number_s_tensor": ("s = torch.tensor(2.5, device=x.device) / 2", "x[tm, tn] * s",
                          lambda x: x * 1.25),
    "an_element": ("n = x.size(0)\n    s = x[n - 1, -2]", "x[tm, tn] - s", lambda x: x - x[-1, -2]),
    "a_root_of_a_mean": ("s = (x * x).mean().sqrt()", "x[tm, tn] / s",
                         lambda x: x / (x * x).mean().sqrt()),
    "a_sum_of_extremes": ("s = x.max() + x.min()", "x[tm, tn] - s",
                          lambda x: x - (x.max() + x.min())),
    "a_clamped_amax": ("s = x.abs().amax().clamp(min=1e-6)", "x[tm, tn] / s",
                       lambda x: x / x.abs().amax().clamp(min=1e-6)),
    "a_maximum_of_two": ("s = torch.maximum(x.amax(), torch.tensor(1.0, device=x.device))",
                         "x[tm, tn] / s",
                         lambda x: x / torch.maximum(x.amax(), torch.tensor(1.0, dtype=x.dtype))),
    "an_int_count": ("count = (x > 1).sum()", "x[tm, tn] * count", lambda x: x * (x > 1).sum()),
}  # fmt: skip
# several names bound at once (Python pairs them): an InterpreterError inside Triton before
# round 19 ("invalid operands of type pointer<fp32> and triton.language.float32")
TUPLES = {
    "the_user_s_min_and_max": (
        "lo, hi = x.min(), x.max()",
        "(x[tm, tn] - lo) / (hi - lo)",
        lambda x: (x - x.min()) / (x.max() - x.min()),
    ),
    "a_mean_and_std": (
        "mu, sd = x.mean(), x.std()",
        "(x[tm, tn] - mu) / sd",
        lambda x: (x - x.mean()) / x.std(),
    ),
    "torch_aminmax": (
        "lo, hi = torch.aminmax(x)",
        "(x[tm, tn] - lo) / (hi - lo)",
        lambda x: (x - x.min()) / (x.max() - x.min()),
    ),
    "the_aminmax_method": (
        "lo, hi = x.aminmax()",
        "x[tm, tn] * hi - lo",
        lambda x: x * x.max() - x.min(),
    ),
    "aminmax_of_a_dim": (
        "lo, hi = torch.aminmax(x, dim=0)",
        "(x[tm, tn] - lo[tn]) / (hi[tn] - lo[tn])",
        lambda x: (x - x.amin(0)) / (x.amax(0) - x.amin(0)),
    ),
}
ZERO_DIM.update(TUPLES)
# a 0-d name bound again, updated in place, or made of another host tensor: the same
# InterpreterError before round 19 (the name forgotten, then passed as a number)
REBOUND = {
    "the_user_s_update": (
        "s = x.sum()\n    s /= x.numel()",
        "x[tm, tn] - s",
        lambda x: x - x.sum() / x.numel(),
    ),
    "bound_again": ("s = x.sum()\n    s = s * 2", "x[tm, tn] - s", lambda x: x - x.sum() * 2),
    "of_an_abs": ("t = x.abs()\n    s = t.max()", "x[tm, tn] / s", lambda x: x / x.abs().max()),
    "a_choice": (
        "s = x.amax() if x.size(0) > 4 else x.amin()",
        "x[tm, tn] - s",
        lambda x: x - x.amax(),
    ),
    "abs_of_a_sum": ("s = abs(x.sum())", "x[tm, tn] - s", lambda x: x - x.sum().abs()),
}
ZERO_DIM.update(REBOUND)
ZERO_DIM["an_argmax_and_an_int_conversion"] = ("k = x.abs().argmax()\n    s = x.sum().int()",
                                               "x[tm, tn] * k - s",
                                               lambda x: x * x.abs().argmax() - x.sum().int())  # fmt: skip
ZERO_DIM["a_mean_by_len_and_as_tensor"] = ("s = x.sum() / len(x) + torch.as_tensor(0.5, device=x.device)",
                                           "x[tm, tn] - s", lambda x: x - (x.sum() / 13 + 0.5))  # fmt: skip
ZERO_DIM["an_empty_shape"] = ("s = torch.zeros((), device=x.device) + x.new_tensor(2.0)",
                              "x[tm, tn] - s", lambda x: x - 2.0)  # fmt: skip
# bound under an `if`, a `with`, a `try`: the same InterpreterError before round 19
COMPOUND = {
    "the_user_s_if_else": ("if flag:\n        s = x.sum()\n    else:\n        s = x.mean()",
                           lambda x, flag: x - (x.sum() if flag else x.mean())),
    "an_if_over_a_0_d_value": ("s = x.mean()\n    if flag:\n        s = x.amax()",
                               lambda x, flag: x - (x.amax() if flag else x.mean())),
    "a_with": ("with torch.no_grad():\n        s = x.sum() * 0.5", lambda x, flag: x - x.sum() * 0.5),
    "a_try": ("try:\n        s = x.amin()\n    except RuntimeError:\n        s = x.amax()",
              lambda x, flag: x - x.amin()),
}  # fmt: skip
# tensors of a rank the host code also makes, read by index: not 0-d
RANKED = {
    "a_column_sum_halved": ("s = x.sum(0) / 2", "x[tm, tn] * s[tn]", lambda x: x * x.sum(0) / 2),
    "a_row": ("s = x[0]", "x[tm, tn] - s[tn]", lambda x: x - x[0]),
    "a_0_d_clamped_by_a_row": ("s = x.sum().clamp(min=x[0] * 100)", "x[tm, tn] - s[tn]",
                               lambda x: x - x.sum().clamp(min=x[0] * 100)),
    "a_kept_amax": ("s = x.amax(dim=0, keepdim=True)", "x[tm, tn] - s[0, tn]",
                    lambda x: x - x.amax(0, keepdim=True)),
}  # fmt: skip


def _inputs():
    return [torch.randn(13, 37, device=DEVICE) + 0.25]


@pytest.mark.parametrize("case", ZERO_DIM)
def test_a_zero_dim_host_value_computes_as_torch(case):
    setup, use, truth = ZERO_DIM[case]
    source = kernel("x: torch.Tensor", LOOP.format(setup=setup, use=use))
    assert_computes_as_torch(source, _inputs, truth)


@pytest.mark.parametrize("case", RANKED)
def test_a_ranked_host_value_read_by_index_computes_as_torch(case):
    setup, use, truth = RANKED[case]
    source = kernel("x: torch.Tensor", LOOP.format(setup=setup, use=use))
    assert_computes_as_torch(source, _inputs, truth)


@pytest.mark.parametrize("flag", [True, False], ids=["flag", "no_flag"])
@pytest.mark.parametrize("case", COMPOUND)
def test_a_zero_dim_value_bound_in_a_compound_statement_computes_as_torch(case, flag):
    setup, truth = COMPOUND[case]
    source = kernel("x: torch.Tensor, flag: bool", LOOP.format(setup=setup, use="x[tm, tn] - s"))
    assert_computes_as_torch(source, lambda: [*_inputs(), flag], truth)


def test_a_zero_dim_value_a_host_loop_may_leave_a_number_is_checked_at_the_launch():
    """`s = 0.0`, then `s = s + x[i].sum()` in a host `for`: a number if the loop runs no
    time; the launcher requires a number (an InterpreterError inside Triton before)."""
    setup = "s = 0.0\n    for i in range(3):\n        s = s + x[i].sum()"
    source = kernel("x: torch.Tensor", LOOP.format(setup=setup, use="x[tm, tn] - s"))
    x = _inputs()[0]
    with pytest.raises(TypeError, match=r"s must be a number, not Tensor .*s\.item\(\)"):
        generated(source, "k", x)(x)


def test_a_float_argument_in_it_computes_as_torch():
    """`eps: float`: the host code shows a number, so the rsqrt is 0-d."""
    body = LOOP.format(setup="s = torch.rsqrt(x.var() + eps)", use="x[tm, tn] * s")
    source = kernel("x: torch.Tensor, eps: float", body)
    make = lambda: [*_inputs(), 1e-3]  # noqa: E731
    assert_computes_as_torch(source, make, lambda x, eps: x * torch.rsqrt(x.var() + eps))


def test_an_unannotated_argument_in_it_is_refused_with_a_true_hint():
    """`eps` unannotated may be a tensor of any rank: refused at the use, the hint naming the
    annotation and `.item()` (it named only `s[tile]` before, which a 0-d tensor refuses)."""
    body = LOOP.format(setup="s = torch.rsqrt(x.var() + eps)", use="x[tm, tn] * s")
    source = kernel("x: torch.Tensor, eps", body)
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile_module(source, example_args={"k": (*_inputs(), 1e-3)}, only=("k",))
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "* s" in text)
    column = source.splitlines()[line - 1].index("* s") + 3
    text = str(caught.value)
    assert f":{line}:{column}:" in text, text
    for words in ("the whole tensor 's'", "`eps: float`", "s = (...).item()"):
        assert words in text, text
