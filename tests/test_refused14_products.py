"""Round 14: a matrix product of 4-D blocks inside a tile (`q[tile_b, :, tile_s, :] @ k[tile_b,
:, :, :].transpose(-1, -2)`, batch x heads kept as two dims) was refused ("a matrix product of
4-D and 4-D blocks"). It is one 3-D tl.dot now, the two batch dimensions merged by a reshape
and split again after (lower/paired_batches.py); factors whose batch dimensions differ are
refused naming both. Each kernel that runs is compared with torch in float64 and compiled for
sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, dot_tolerance, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

BOUND = dot_tolerance(torch.float32)  # float32 products of tl.dot (TF32 on a GPU)
B, H, S, T, D = 3, 3, 40, 32, 16  # batch, heads (3 of 4 lanes), queries, keys, head size
CONFIG = "@helion.kernel(config=helion.Config(block_sizes=[2, 16]))"
SCORES = (
    "    b, h, s, d = q.shape\n"
    "    t = k.size(2)\n"
    "    out = torch.empty([b, h, s, OUT], dtype=torch.float32, device=q.device)\n"
    "    for tb, ts in hl.tile([b, s]):\n"
    "        out[tb, :, ts, :] = EXPRESSION\n"
    "    return out\n"
)
CASES = {  # (expression, out's last size, torch's answer of q, k, v)
    "the_user_s_scores": ("q[tb, :, ts, :] @ k[tb, :, :, :].transpose(-1, -2)", "t",
                          lambda q, k, v: q @ k.transpose(-1, -2)),
    "matmul_of_mT_scaled": ("torch.matmul(q[tb, :, ts, :], k[tb, :, :, :].mT) * 0.25", "t",
                            lambda q, k, v: torch.matmul(q, k.mT) * 0.25),
    "attention": ("torch.softmax(q[tb, :, ts, :] @ k[tb, :, :, :].transpose(2, 3), dim=-1) @ v[tb, :, :, :]",
                  "d", lambda q, k, v: torch.softmax(q @ k.transpose(2, 3), dim=-1) @ v),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_four_d_products_batch_by_heads(case):
    """was: refused ("a matrix product of 4-D and 4-D blocks")."""
    expression, size, truth = CASES[case]
    body = SCORES.replace("EXPRESSION", expression).replace("OUT", size)
    source = kernel("q: torch.Tensor, k: torch.Tensor, v: torch.Tensor", body, CONFIG)
    make = lambda: [signed_rand(B, H, S, D).to(DEVICE), signed_rand(B, H, T, D).to(DEVICE),  # noqa: E731
                    signed_rand(B, H, T, D).to(DEVICE)]  # fmt: skip
    assert_computes_as_torch(source, make, truth, bound=BOUND)


def test_factors_of_other_batch_dimensions_are_refused_naming_them():
    body = SCORES.replace("EXPRESSION", "q[tb, :, ts, :] @ k[:, :, :, :].transpose(-1, -2)")
    source = kernel("q: torch.Tensor, k: torch.Tensor", body.replace("OUT", "t"), CONFIG)
    assert_refused_at(
        source, 13, "q[tb", "the same two batch dimensions in both factors", "tb",
        "index both factors alike",
    )  # fmt: skip
