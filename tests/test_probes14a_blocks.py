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

import transpiler

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
ONES = "hl.full([tile_m, block_n], 1.0, dtype=torch.float32)"
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


def lanes_kernel(before: str, update: str, after: str, result: str) -> str:
    """Kernel `k(x)`: lanes made and updated by `before`, `update` in the loop, `after`."""
    body = (
        "    m, n = x.size()\n"
        "    block_n = hl.register_block_size(n)\n"
        "    out = torch.empty([m], dtype=torch.float32, device=x.device)\n"
        "    for tile_m in hl.tile(m):\n"
        + "".join(f"        {line}\n" for line in before.split("; "))
        + "        for tile_n in hl.tile(n, block_size=block_n):\n"
        f"            {update}\n"
        + "".join(f"        {line}\n" for line in after.split("; ") if line)
        + f"        out[tile_m] = {result}\n"
        "    return out\n"
    )
    return kernel("x: torch.Tensor", body, CONFIG.format(block=8))


FILLED = {  # a number in the lanes outside the loop, then a sum over them (line, caret)
    "filled_with_one": (f"acc = {ONES}", "acc = acc + x[tile_m, tile_n]", "", "acc.sum(1)"),
    "one_added_before": (f"acc = {ZEROS}; acc = acc + 1", "acc += x[tile_m, tile_n]", "", "acc.sum(1)"),
    "bias_added_after": (f"acc = {ZEROS}", "acc += x[tile_m, tile_n]", "acc = acc - 0.5", "acc.mean(-1)"),
    "centred_after": (f"acc = {ZEROS}", "acc += x[tile_m, tile_n]", "", "(acc - 2.0).var(1)"),
}  # fmt: skip


@pytest.mark.parametrize("case", FILLED, ids=list(FILLED))
def test_a_sum_over_lanes_a_number_filled_outside_the_loop_is_refused(case):
    """was: silently BLOCK_SIZE_N times the number where the eager run has n times (24 + the
    sum for n = 21, block 8, by `hl.full(..., 1.0)`; torch 21 + the sum)."""
    source = lanes_kernel(*FILLED[case])
    result = FILLED[case][3]
    line = source.splitlines().index(f"        out[tile_m] = {result}") + 1
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(source, "k", torch.randn(7, 21))
    text = str(caught.value)
    column = source.splitlines()[line - 1].index(result) + 1
    assert f":{line}:{column}:" in text, text
    assert "outside a loop over that block size" in text and "block_size=block_n" in text, text


KEPT = {  # lanes filled where it does not change the result: computed as torch
    "max_from_minus_inf": (
        "acc = hl.full([tile_m, block_n], float('-inf'), dtype=torch.float32)",
        "acc = torch.maximum(acc, x[tile_m, tile_n])", "acc = acc + 1.0", "acc.amax(1)",
        lambda x: x.amax(1) + 1.0,
    ),
    "scaled_after": (f"acc = {ZEROS}", "acc += x[tile_m, tile_n]", "acc = acc * 0.5", "acc.sum(1)", lambda x: x.sum(1) * 0.5),
    "number_added_inside": (f"acc = {ZEROS}", "acc = acc + (x[tile_m, tile_n] - 0.25)", "", "acc.sum(1)", lambda x: (x - 0.25).sum(1)),
}  # fmt: skip


@pytest.mark.parametrize("case", KEPT, ids=list(KEPT))
def test_lanes_a_sum_does_not_count_wrongly_compute_as_torch(case):
    *parts, truth = KEPT[case]
    source = lanes_kernel(*parts)
    x = torch.rand(7, 21, device=DEVICE) - 0.5
    got = generated(source, "k", x)(x.clone())
    torch.testing.assert_close(got.double().cpu(), truth(in_float64(x)), rtol=1e-5, atol=1e-5)
