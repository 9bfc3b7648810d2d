"""Round 14: `hl.arange(n)` of a host size (`x[tile, :] + hl.arange(n)[None, :]`) was refused
("hl.arange takes a tile's block size here ..., not a length or a size from the host"). Helion's
hl.arange is torch.arange on the kernel's device; a host size's lanes are now the whole dimension
of that size, the axis `x[tile, :]` loads along (its lanes past n masked, as the row's). Each
kernel that runs is compared with torch in float64 and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

ROWS, COLUMNS = 37, 13  # 13 columns: lanes 13 to 15 of the row's 16 masked
CASES = {  # (expression of x[tile, :] rows, out's shape, the target, torch's answer)
    "the_user_s_row_plus_indices": ("x[tile, :] + hl.arange(n)[None, :]", "[m, n]", "tile, :",
                                    lambda x, k: x + torch.arange(x.size(1))[None, :]),
    "weighted_row_sums": ("(hl.arange(x.size(1), dtype=torch.float32)[None, :] * x[tile, :]).sum(-1)",
                          "[m]", "tile", lambda x, k: (torch.arange(x.size(1)).double()[None, :] * x).sum(-1)),
    "columns_before_k_kept": ("torch.where(hl.arange(n)[None, :] < k, x[tile, :], 0.0).amax(-1)", "[m]", "tile",
                              lambda x, k: torch.where(torch.arange(x.size(1))[None, :] < k, x, 0.0).amax(-1)),
    "indices_scaled_then_mean": ("(x[tile, :] * 0 + hl.arange(n) * 2).mean(-1)", "[m]", "tile",
                                 lambda x, k: x[:, 0] * 0 + (x.size(1) - 1)),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_an_arange_of_a_host_size_is_its_whole_dimension(case):
    """was: refused ("hl.arange takes a tile's block size here ...")."""
    expression, shape, target, truth = CASES[case]
    source = kernel(
        "x: torch.Tensor, k: int",
        "    m, n = x.shape\n"
        f"    out = torch.empty({shape}, dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(m):\n"
        f"        out[{target}] = {expression}\n"
        "    return out\n",
    )
    make = lambda: [signed_rand(ROWS, COLUMNS).to(DEVICE) + 2, 9]  # noqa: E731
    assert_computes_as_torch(source, make, truth)
