"""Round 14: a size of -1 in view / reshape / expand inside a tile (`x[tile, 0:1].expand(-1,
n)`, `x[tile, :].view(-1, n)`) was refused saying "-1 (torch infers it) is not inferred in device
code". Now expand's -1 keeps the block's dimension there, and view / reshape infer it where the
other sizes are the block's own dimensions, in order, and -1 is the one left (or a size 1); a
-1 that would merge or split dimensions, or stand for a new leading one in expand (torch refuses
that too), is refused naming why. A one-index slice (`x[tile, 0:1]`) expands as torch's size 1.
Each kernel that runs is compared with torch in float64 and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

ROWS, COLUMNS = 37, 13  # two programs of 32 rows, the second partly outside


def rows_kernel(out_shape: str, target: str, expression: str) -> str:
    return kernel(
        "x: torch.Tensor, b: torch.Tensor",
        "    m, n = x.shape\n"
        f"    out = torch.empty({out_shape}, dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(m):\n"
        f"        out[{target}] = {expression}\n"
        "    return out\n",
        decorator="@helion.kernel(config=helion.Config(block_sizes=[32]))",
    )


CASES = {  # (out's shape, the target, the value, torch's answer of x (m, n) and b (m,))
    "first_column_expanded": ("[m, n]", "tile, :", "x[tile, 0:1].expand(-1, n)",
                              lambda x, b: x[:, 0:1].expand(-1, x.size(1))),
    "row_scale_expanded": ("[m, n]", "tile, :", "b[tile][:, None].expand(-1, n) * x[tile, :]",
                           lambda x, b: b[:, None].expand(-1, x.size(1)) * x),
    "kept_both_then_a_new_middle": ("[m, 4, n]", "tile, :, :",
                                    "x[tile, :][:, None, :].expand(-1, 4, -1) - 1",
                                    lambda x, b: x[:, None, :].expand(-1, 4, -1) - 1),
    "view_rows": ("[m, n]", "tile, :", "x[tile, :].view(-1, n) * 2", lambda x, b: x.view(-1, x.size(1)) * 2),
    "reshape_one_d": ("[m]", "tile", "b[tile].reshape(-1) + 1", lambda x, b: b.reshape(-1) + 1),
    "view_adds_a_column": ("[m, n]", "tile, :", "b[tile].view(-1, 1) * x[tile, :]",
                           lambda x, b: b.view(-1, 1) * x),
    "reshape_keeps_rows_sums": ("[m]", "tile", "x[tile, :].reshape(-1, n).sum(-1)",
                                lambda x, b: x.reshape(-1, x.size(1)).sum(-1)),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_minus_one_stands_for_the_block_s_dimension(case):
    """was: refused ("a size of -1 (torch infers it) is not inferred in device code")."""
    shape, target, expression, truth = CASES[case]
    assert_computes_as_torch(
        rows_kernel(shape, target, expression),
        lambda: [signed_rand(ROWS, COLUMNS).to(DEVICE) * 3, signed_rand(ROWS).to(DEVICE)],
        truth,
    )


REFUSED = {  # (the value, the caret, words of the error)
    "view_merging_two": ("x[tile, :].view(-1).sum()", "-1", ("view()'s -1 is inferred", "write the size")),
    "reshape_splitting": ("x[tile, 0:4].reshape(-1, 2).sum(-1)", "-1", ("reshape()'s -1", "power of two")),
    "two_minus_ones": ("x[tile, :].view(-1, -1).sum(-1)", "-1)", ("infers one size of -1, not two",)),
    "expand_new_leading": ("b[tile].expand(-1, -1).sum(0)", "-1", ("expand's -1 keeps a dimension",
                                                                   "size 0 is a new one")),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_a_minus_one_standing_for_no_dimension_is_refused(case):
    expression, caret, words = REFUSED[case]
    source = rows_kernel("[m]", "tile", expression)
    assert_refused_at(source, 12, caret, *words)


def test_a_new_block_of_minus_one_is_refused_saying_where_minus_one_is_inferred():
    source = rows_kernel("[m]", "tile", "hl.zeros([tile, -1], dtype=torch.float32).sum(-1)")
    assert_refused_at(source, 12, "-1]", "a size of -1 for a new block", "view, reshape and expand")
