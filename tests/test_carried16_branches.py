"""A name that is a Python number after one branch of an `if` on a loaded scalar and a block of
a tensor's values after the other (`s = 1.5` / `s = x[tm, 0]`; carried16, refused before with
"a different shape after each branch"): the number becomes that block at its branch's end
(branches.numbers_as_blocks), in the tensor's dtype (halves in float32), as torch then computes
`x[tm, 1] * s` on either path. Both paths run (x[0, 0] made positive, then negative); each
launch compiled for sm_90 too (conftest). 13 rows in blocks of 4, against torch in float64."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 5
BLOCKS = "@helion.kernel(config=helion.Config(block_sizes=[4]))"
BRANCHES = """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        if x[0, 0] > 0:
            s = {first}
        else:
            s = {second}
        out[tm] = x[tm, 1] * s
    return out
"""
CASES = {  # the if branch's value, the else branch's, torch's s for (x, whether x[0, 0] > 0)
    "users_number_then_block": ("1.5", "x[tm, 0]", lambda x, up: 1.5 if up else x[:, 0]),
    "block_then_number": ("x[tm, 2] * 2", "-0.25", lambda x, up: x[:, 2] * 2 if up else -0.25),
    "int_number_beside_a_sum": (
        "3",
        "x[tm, :].sum(1)",
        lambda x, up: 3 if up else x.sum(1),
    ),
}


@pytest.mark.parametrize("positive", [True, False], ids=["if_branch", "else_branch"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
@pytest.mark.parametrize("case", CASES)
def test_a_number_on_one_branch_becomes_the_others_block(case, dtype, positive):
    first, second, s = CASES[case]
    source = kernel("x: torch.Tensor", BRANCHES.format(first=first, second=second), BLOCKS)

    def make():
        x = signed_rand(M, N)
        x[0, 0] = x[0, 0].abs() + 0.1 if positive else -x[0, 0].abs() - 0.1
        return [x.to(dtype).to(DEVICE)]

    assert_computes_as_torch(source, make, lambda x: x[:, 1] * s(x, bool(x[0, 0] > 0)))


def test_a_float_number_beside_an_integer_block_is_checked_at_the_launch():
    source = kernel("x: torch.Tensor", BRANCHES.format(first="1.5", second="x[tm, 0]"), BLOCKS)
    x = torch.randint(-9, 9, (M, N), dtype=torch.int32, device=DEVICE)

    with pytest.raises(TypeError, match="s is a float on one branch and x's values"):
        generated(source, "k", x)(x)
