"""Probes (round 17) of norms and means of integer rows, which torch refuses ("Expected a
floating point or complex tensor as input"), and of the same rows converted or met by floats,
which it computes; each against torch in float64, each launch also compiled for sm_90
(conftest).

Found in round 17:
- internal traceback: `torch.linalg.vector_norm(x[tm, :], dim=-1)` (and `x[tm, :].norm(dim=-1)`,
  `F.normalize`) of an int32 x was Triton's InterpreterError "Expected dtype ['fp32', 'fp64']
  but got int32" from inside `tl.sqrt` (a compile error on a GPU);
- accepted where torch refuses: the mean / var / std of integer values computed in the loop
  (`(x[tm, :] * 2).mean(-1)`); a loaded integer row was already refused at the launch.
Now each is the launcher's TypeError naming the line and `x.float()` (argument_checks.floats_only
reads the tensors a value is computed from, `fed_by`; norms call it)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 37
ROWS = """    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        out[tm] = {expression}
    return out
"""
SIGNATURE = "x: torch.Tensor, y: torch.Tensor"
REFUSED = {  # expression of x[tm, :] (int32) and y[tm, :] (float32): torch refuses it
    "the_user_s_vector_norm": ("torch.linalg.vector_norm(x[tm, :], dim=-1)", "torch.linalg.vector_norm"),
    "a_norm_method_of_a_difference": ("(x[tm, :] - 1).norm(dim=-1)", "torch.norm"),
    "a_normalized_row_summed": ("torch.nn.functional.normalize(x[tm, :] * 3, dim=-1).sum(-1)", "torch.nn.functional.normalize"),
    "a_mean_of_doubled_ints": ("(x[tm, :] * 2).mean(-1)", "torch.mean"),
    "a_var_of_a_sum_of_ints": ("(x[tm, :] + x[tm, :]).var(-1)", "torch.var"),
}  # fmt: skip
COMPUTED = {  # the same with floats in: torch computes it
    "a_norm_of_converted_ints": ("torch.linalg.vector_norm(x[tm, :].float() - 1, dim=-1)", lambda x, y: torch.linalg.vector_norm(x.double() - 1, dim=-1)),
    "a_norm_of_ints_times_floats": ("(x[tm, :] * y[tm, :]).norm(dim=-1)", lambda x, y: (x * y).norm(dim=-1)),
    "a_mean_of_ints_times_a_half": ("(x[tm, :] * 0.5).mean(-1)", lambda x, y: (x * 0.5).mean(-1)),
    "a_std_of_ints_plus_floats": ("(x[tm, :] + y[tm, :]).std(-1)", lambda x, y: (x + y).std(-1)),
}  # fmt: skip


def inputs():
    ints = torch.randint(-9, 10, (M, N), dtype=torch.int32, device=DEVICE)
    return [ints, signed_rand(M, N).to(DEVICE)]


@pytest.mark.parametrize("case", REFUSED)
def test_integer_norms_and_means_are_refused_at_the_launch_naming_the_line(case):
    expression, spelled = REFUSED[case]
    source = kernel(SIGNATURE, ROWS.format(expression=expression))
    line = next(n for n, t in enumerate(source.splitlines(), 1) if expression in t)
    x, y = inputs()
    with pytest.raises(TypeError) as caught:
        generated(source, "k", x, y)(x, y)
    text = str(caught.value)
    assert f"line {line}: {spelled} takes floats, x is torch.int32" in text, text
    assert "x.float()" in text


@pytest.mark.parametrize("case", COMPUTED)
def test_the_same_rows_with_floats_in_compute_as_torch(case):
    expression, truth = COMPUTED[case]
    assert_computes_as_torch(kernel(SIGNATURE, ROWS.format(expression=expression)), inputs, truth)
