"""Round 15: a one-index slice beside a whole dimension (`x[t, 2:3] + x[t, :]`, `x[t, :] -
x[t, 0:1]`) was refused ("cannot broadcast the slice 2:3 against ':'"); torch broadcasts its
size-1 dimension, and so does the kernel now, as `x[t, 2][:, None]` would (its one lane
broadcast by Triton; the launcher checks the index lies inside); stored across a row too
(`out[t, :] = x[t, 2:3]`, was "the value spans the slice 2:3 where the target has ':'"). Each kernel is compared with
torch in float64 and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 37, 13  # odd: the last row tile and the 16 lanes of the 13 columns are partly masked


def _rows(expression: str, out: str = "torch.empty_like(x)", target: str = "out[t, :]") -> str:
    return (
        f"    out = {out}\n"
        "    for t in hl.tile(x.size(0)):\n"
        f"        {target} = {expression}\n"
        "    return out\n"
    )


ROW = "torch.empty([x.size(0)], dtype=x.dtype, device=x.device)"
CASES = {  # body, torch's answer of x, y
    "the_user_s_sum": (_rows("x[t, 2:3] + x[t, :]"), lambda x, y: x[:, 2:3] + x),
    "the_user_s_difference": (_rows("x[t, :] - x[t, 0:1]"), lambda x, y: x - x[:, 0:1]),
    "a_where_against_a_column": (
        _rows("torch.where(x[t, :] > y[t, 4:5], x[t, :], y[t, 4:5])"),
        lambda x, y: torch.where(x > y[:, 4:5], x, y[:, 4:5])),
    "summed_over_the_masked_columns": (  # lanes past 13 would add x[t, 12] each
        _rows("(x[t, :] + x[t, 12:13] * 2.0).sum(-1)", ROW, "out[t]"),
        lambda x, y: (x + x[:, 12:13] * 2.0).sum(-1)),
    "stored_across_the_row": (_rows("x[t, 2:3] * 3.0"),  # tl.store broadcasts the one lane
                              lambda x, y: (x[:, 2:3] * 3.0).expand(-1, N)),
    "over_a_column_tile": (
        "    out = torch.empty_like(x)\n"
        "    for tm, tn in hl.tile([x.size(0), x.size(1)]):\n"
        "        out[tm, tn] = x[tm, tn] / y[tm, 3:4]\n"
        "    return out\n",
        lambda x, y: x / y[:, 3:4]),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_one_index_slice_broadcasts_as_in_torch(case):
    """was: refused ("cannot broadcast the slice 2:3 against ':' ...")."""
    body, truth = CASES[case]
    source = kernel("x: torch.Tensor, y: torch.Tensor", body)
    make = lambda: [signed_rand(M, N).to(DEVICE), signed_rand(M, N + 2).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, truth)


@pytest.mark.parametrize(("case", "least"), [("summed_over_the_masked_columns", 13),
                                             ("stored_across_the_row", 3)])  # fmt: skip
def test_the_launcher_checks_the_index_lies_inside(case, least):
    """x[t, 12:13] of a 12-column x (x[t, 2:3] of 2 columns): torch's slice is empty and
    broadcasts to nothing, or refuses; the kernel would read a masked 0."""
    source = kernel("x: torch.Tensor, y: torch.Tensor", CASES[case][0])
    x, y = signed_rand(M, least - 1).to(DEVICE), signed_rand(M, least - 1).to(DEVICE)
    with pytest.raises(RuntimeError, match=f"x.size\\(1\\) must be at least {least}"):
        generated(source, "k", x, y)(x, y)
