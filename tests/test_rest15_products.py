"""Round 15: a 4-D product added into an accumulator (`acc += q4 @ k4.transpose(-1, -2)`,
batch x heads kept as two dims) was refused with the 2-D / 3-D hint; it is one 3-D tl.dot into
the accumulator now, both merged on their batch dims and split after (lower/paired_batches.py).
torch.bmm / baddbmm and hl.dot of 4-D blocks (torch and Helion refuse those), and torch.mm /
addmm of 3-D ones, are refused with `@` as the fix, which is checked to work. Each kernel that
runs is compared with torch in float64 and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, dot_tolerance, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

B, H, S, T, D = 3, 3, 40, 24, 48  # batch, heads (3 of 4 lanes), queries, keys, head size
CONFIG = "@helion.kernel(config=helion.Config(block_sizes=[2, 16]))"
SCORES = (
    "    b, h, s, d = q.shape\n"
    "    t = k.size(2)\n"
    "    out = torch.empty([b, h, s, t], dtype=torch.float32, device=q.device)\n"
    "    for tb, ts in hl.tile([b, s]):\n"
    "BODY"
    "        out[tb, :, ts, :] = acc\n"
    "    return out\n"
)
ZEROS = "        acc = hl.zeros([tb, h, ts, t], dtype=torch.float32)\n"
CASES = {  # body (8 spaces), torch's answer of q, k, bias
    "the_user_s_accumulator": (
        ZEROS + "        acc += q[tb, :, ts, :] @ k[tb, :, :, :].transpose(-1, -2)\n",
        lambda q, k, bias: q @ k.transpose(-1, -2)),
    "a_bias_plus_matmul_mT": (
        "        acc = bias[tb, :, ts, :]\n"
        "        acc = acc + torch.matmul(q[tb, :, ts, :], k[tb, :, :, :].mT)\n",
        lambda q, k, bias: bias + q @ k.mT),
    "summed_over_k_tiles": (
        ZEROS + "        for tk in hl.tile(d, block_size=16):\n"
        "            acc += q[tb, :, ts, tk] @ k[tb, :, :, tk].transpose(2, 3)\n",
        lambda q, k, bias: q @ k.transpose(2, 3)),
}  # fmt: skip


def _make():
    return [signed_rand(B, H, S, D).to(DEVICE), signed_rand(B, H, T, D).to(DEVICE),
            signed_rand(B, H, S, T).to(DEVICE)]  # fmt: skip


def _source(body: str) -> str:
    return kernel("q: torch.Tensor, k: torch.Tensor, bias: torch.Tensor",
                  SCORES.replace("BODY", body), CONFIG)  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_four_d_products_into_an_accumulator(case):
    """was: refused ("a matrix product of 4-D and 4-D blocks", hint: 2-D or 3-D tiles)."""
    body, truth = CASES[case]
    bound = dot_tolerance(torch.float32)
    assert_computes_as_torch(_source(body), _make, truth, bound=bound)


REFUSED = {  # line 14's product, the function named, the fix the hint writes
    "baddbmm_of_4d": ("acc = torch.baddbmm(acc, q[tb, :, ts, :], k[tb, :, :, :].mT)",
                      "torch.baddbmm() multiplies 3-D blocks, not 4-D",
                      "acc + q[tb, :, ts, :] @ k[tb, :, :, :].mT"),
    "hl_dot_of_4d": ("acc = hl.dot(q[tb, :, ts, :], k[tb, :, :, :].mT, acc=acc)",
                     "hl.dot() multiplies 2-D or 3-D blocks, not 4-D",
                     "acc + q[tb, :, ts, :] @ k[tb, :, :, :].mT"),
    "bmm_added_in": ("acc += torch.bmm(q[tb, :, ts, :], k[tb, :, :, :].mT)",
                     "torch.bmm() multiplies 3-D blocks, not 4-D",
                     "q[tb, :, ts, :] @ k[tb, :, :, :].mT"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_four_d_factors_of_3d_functions_are_refused_with_a_fix_that_runs(case):
    """was: accepted (torch.bmm / baddbmm and hl.dot refuse 4-D tensors)."""
    line, message, fix = REFUSED[case]
    source = _source(ZEROS + f"        {line}\n")
    assert_refused_at(source, 14, "q[tb", message, fix)
    target = line.split(" ")[0]
    fixed = _source(ZEROS + f"        {target} = {fix}\n" if "+=" not in line
                    else ZEROS + f"        acc += {fix}\n")  # fmt: skip
    truth = lambda q, k, bias: q @ k.mT  # noqa: E731
    assert_computes_as_torch(fixed, _make, truth, bound=dot_tolerance(torch.float32))


def test_mm_of_3d_blocks_is_refused_as_torch_refuses_it():
    """was: accepted as a batched product (torch.mm takes matrices only)."""
    body = (
        "    out = torch.empty([q.size(0), q.size(1), k.size(1)], device=q.device)\n"
        "    for tb, ts in hl.tile([q.size(0), q.size(1)]):\n"
        "        out[tb, ts, :] = torch.mm(q[tb, ts, :], k[tb, :, :].mT)\n"
        "    return out\n"
    )
    source = kernel("q: torch.Tensor, k: torch.Tensor", body, CONFIG)
    assert_refused_at(source, 11, "q[tb", "torch.mm() multiplies 2-D blocks, not 3-D",
                      "q[tb, ts, :] @ k[tb, :, :].mT")  # fmt: skip


def test_half_factors_into_a_float32_accumulator():
    """float16 q and k, the accumulator float32 (dot_into, as the 3-D form)."""
    body, truth = CASES["summed_over_k_tiles"]
    make = lambda: [t.half() for t in _make()]  # noqa: E731
    assert_computes_as_torch(_source(body), make, truth, bound={"rtol": 2e-2, "atol": 2e-2})
