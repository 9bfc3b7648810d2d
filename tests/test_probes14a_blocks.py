"""Probes (round 14a) of `hl.register_block_size`'s accumulator lanes updated alone inside a
loop over that block size, each against torch in float64 (odd n past and below the block).

Found silently wrong (by round 13, fixed in 14a): `acc = acc + 1` inside `for tile_n in
hl.tile(n, block_size=block_n)` added 1 to the lanes past n in the last tile too, so
`acc.sum(1)` counted 24 for n = 21 and a block of 8 (torch: 21). An update of the lanes alone
is now masked by that loop's tile, as updates spanning the tile were
(`acc = tl.where(mask_n[None, :], acc + 1, acc)`, lower/block_sizes.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, kernel_text, one_line
from probe_kernels import kernel
from torch_answers import in_float64

# block_sizes: block_n (registered first), then the rows' tile
CONFIG = "@helion.kernel(config=helion.Config(block_sizes=[{block}, 4]))"


def rows_kernel(init: str, updates: str, result: str) -> str:
    """Kernel `k(x)`: per row block, `acc` of [tile_m, block_n] lanes made by `init`, updated by
    `updates` in a loop over n of block block_n, stored as `result` (one value per row)."""
    body = (
        "    m, n = x.size()\n"
        "    block_n = hl.register_block_size(n)\n"
        "    out = torch.empty([m], dtype=torch.float32, device=x.device)\n"
        "    for tile_m in hl.tile(m):\n"
        f"        acc = {init}\n"
        "        for tile_n in hl.tile(n, block_size=block_n):\n"
        + "".join(f"            {line}\n" for line in updates.split("; "))
        + f"        out[tile_m] = {result}\n"
        "    return out\n"
    )
    return body


ZEROS = "hl.zeros([tile_m, block_n], dtype=torch.float32)"
CASES = {
    # the probe found: a count of the elements by `acc = acc + 1`
    "count": (ZEROS, "acc = acc + 1", "acc.sum(1)", lambda x: torch.full((x.size(0),), float(x.size(1)), dtype=x.dtype)),
    "count_augmented": (ZEROS, "acc += 1.0", "acc.sum(-1)", lambda x: torch.full((x.size(0),), float(x.size(1)), dtype=x.dtype)),
    # a mean as a sum over a count, both in lanes
    "mean_by_count": (
        ZEROS,
        "acc = acc + x[tile_m, tile_n]; acc = acc - 0.5",
        "acc.sum(1) / n",
        lambda x: x.sum(1) / x.size(1) - 0.5,
    ),
    # an int32 count down, summed as int64 by torch's rule, then made float
    "int_count_down": ("hl.zeros([tile_m, block_n], dtype=torch.int32)", "acc -= 1", "acc.sum(1).float()", lambda x: torch.full((x.size(0),), -float(x.size(1)), dtype=x.dtype)),
}  # fmt: skip


@pytest.mark.parametrize("n, block", [(21, 8), (5, 16), (33, 16)])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_lanes_updated_alone_keep_the_padded_lanes_out(case, n, block):
    """was: `count` 24 for n = 21, block 8 (the last tile's 3 padded lanes counted)."""
    init, updates, result, truth = CASES[case]
    source = kernel(
        "x: torch.Tensor", rows_kernel(init, updates, result), CONFIG.format(block=block)
    )
    x = torch.rand(7, n, device=DEVICE) + 0.5
    got = generated(source, "k", x)(x.clone())
    torch.testing.assert_close(got.double().cpu(), truth(in_float64(x)), rtol=1e-5, atol=1e-5)


def test_the_update_of_lanes_alone_is_masked_by_the_loop_tile():
    """The generated line: the new lanes where the tile is inside n, the old ones past it."""
    init, updates, result, _ = CASES["count"]
    source = kernel("x: torch.Tensor", rows_kernel(init, updates, result), CONFIG.format(block=8))
    text = one_line(kernel_text(source, "k", torch.randn(7, 21)))
    assert "acc = tl.where(mask_n[None, :], acc + 1, acc)" in text, text
