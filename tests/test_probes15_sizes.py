"""Probes (round 15) of a block's sizes used as numbers: `v.size(0)`, `v.shape[0]`, `rows, cols
= acc.shape`, `v.size()[0]` of a block loaded through a tile, as a Welford update's count or a
mean's divisor. Each against torch in float64 on the slices the tiles cut (13 rows in blocks of
4: the last holds 1), each launch also compiled for sm_90 (conftest).

Found in round 15 (silently wrong): such a size was the tile's block size, also in the last
tile, where torch's size of that slice (and reference mode's) is the lanes inside the tensor: a
Welford mean / variance over column tiles of 37 columns in blocks of 8 counting `c = v.size(1)`
was off on every row, a per-tile mean `v.sum(0) / v.size(0)` on every column. As a number it is
now the tile's lanes inside the tensor (`tl.minimum(m - pid_tm * BLOCK_TM, BLOCK_TM)`, as a
slice's size already was); as a shape (`hl.zeros([v.size(0)])`) it still stands for the tile."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, kernel_text, reference, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 37
CONFIG = "@helion.kernel(config=helion.Config(block_sizes=[4, 8]))"


def floats(*shape):
    return signed_rand(*shape).to(DEVICE)


def per_block(fn, rows=4):
    """torch's answer summed over the blocks of `rows` rows the tiles cut."""
    return lambda x: torch.stack([fn(part) for part in x.split(rows)]).sum(0)


TILE_MEANS = """    m, n = x.shape
    out = torch.zeros([n], dtype=x.dtype, device=x.device)
    for tm, tn in hl.tile([m, n]):
        v = x[tm, tn]
        hl.atomic_add(out, [tn], {mean})
    return out
"""
WELFORD = """    m, n = x.shape
    out = torch.empty([m, 2], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        mean = hl.zeros([tm], dtype=torch.float32)
        m2 = hl.zeros([tm], dtype=torch.float32)
        count = 0
        for tn in hl.tile(n):
            v = x[tm, tn]
            {count}
            block_mean = v.sum(1) / c
            block_m2 = ((v - block_mean[:, None]) ** 2 * (tn.index < n)[None, :]).sum(1)
            total = count + c
            delta = block_mean - mean
            mean = mean + delta * c / total
            m2 = m2 + block_m2 + delta * delta * count * c / total
            count = total
        out[tm, 0] = mean
        out[tm, 1] = m2 / n
    return out
"""
ACCUMULATOR_SHAPE = """    m, n = x.shape
    out = torch.zeros([1], dtype=x.dtype, device=x.device)
    for tm, tn in hl.tile([m, n]):
        acc = hl.zeros([tm, tn], dtype=torch.float32) + x[tm, tn]
        rows, columns = acc.shape
        hl.atomic_add(out, [0], acc.sum() / (rows * columns))
    return out
"""


def welford(x):
    return torch.stack([x.mean(1), x.var(1, unbiased=False)], 1)


def block_means(x):
    return sum(
        part.mean()
        for rows in x.split(4)
        for part in rows.split(8, dim=1)  # tiles of 4 rows by 8 columns
    ).reshape(1)


CASES = {
    "mean_by_size_0": (TILE_MEANS.format(mean="v.sum(0) / v.size(0)"), per_block(lambda c: c.mean(0))),
    "mean_by_shape_0": (TILE_MEANS.format(mean="v.sum(0) / v.shape[0]"), per_block(lambda c: c.mean(0))),
    "mean_by_sizes_subscript": (TILE_MEANS.format(mean="v.sum(0) / v.size()[-2]"), per_block(lambda c: c.mean(0))),
    "welford_count_of_size_1": (WELFORD.format(count="c = v.size(1)"), welford),
    "welford_count_of_shape": (WELFORD.format(count="_, c = v.shape"), welford),
    "accumulator_shape_unpacked": (ACCUMULATOR_SHAPE, block_means),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_block_s_size_counts_its_lanes_inside_the_tensor(case):
    """was: the block size (4 rows, 8 columns) in the last tile too (1 row, 5 columns)."""
    body, truth = CASES[case]
    assert_computes_as_torch(kernel("x: torch.Tensor", body, CONFIG), lambda: [floats(M, N)], truth)


def test_the_count_is_written_where_the_line_divides():
    source = kernel("x: torch.Tensor", CASES["mean_by_size_0"][0], CONFIG)
    text = kernel_text(source, "k", floats(M, N))
    assert "/ tl.minimum(m - pid_tm * BLOCK_TM, BLOCK_TM)" in text, text


def test_reference_mode_agrees_where_the_block_is_the_source_s():
    """With the block fixed in the source, reference mode runs block by block: both truths."""
    body = WELFORD.format(count="c = v.size(1)").replace("hl.tile(n)", "hl.tile(n, block_size=8)")
    source = kernel("x: torch.Tensor", body, CONFIG.replace("[4, 8]", "[4]"))
    x = floats(M, N)
    torch.testing.assert_close(
        reference(source, "k")(x.clone()).double().cpu(), welford(x.double().cpu())
    )
    assert_computes_as_torch(source, lambda: [x], welford)


def test_as_a_shape_the_size_still_stands_for_the_tile():
    """`hl.zeros([v.size(0)])` is a block of the tile's lanes (a mean of it adds each row)."""
    body = (
        "    m, n = x.shape\n"
        "    out = torch.empty([m], dtype=x.dtype, device=x.device)\n"
        "    for tm in hl.tile(m):\n"
        "        v = x[tm, :]\n"
        "        acc = hl.zeros([v.size(0)], dtype=torch.float32) + v.sum(1) / v.size(1)\n"
        "        out[tm] = acc\n"
        "    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body, CONFIG.replace("[4, 8]", "[4]")),
        lambda: [floats(M, N)],
        lambda x: x.mean(1),
    )


INNER = """    m, n = x.shape
{before}    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        acc = hl.zeros([tm], dtype=torch.float32)
        for tn in {loop}:
            v = x[tm, tn]
            acc += v.sum(1) / v.size(1)
        out[tm] = acc
    return out
"""


def chunk_means(begin, end, width):
    """torch's sum over the column chunks [j, j + width) from begin to end of their means."""
    return lambda x: sum(x[:, j : min(j + width, end)].mean(1) for j in range(begin, end, width))


INNER_LOOPS = {  # loop, host code before the loop, block sizes, truth
    "from_a_begin": ("hl.tile(3, n, block_size=8)", "", "[4]", chunk_means(3, N, 8)),
    "to_an_end": ("hl.tile(0, 30, block_size=8)", "", "[4]", chunk_means(0, 30, 8)),
    "of_a_registered_block": ("hl.tile(n, block_size=bn)", "    bn = hl.register_block_size(16, 16)\n", "[16, 4]", chunk_means(0, N, 16)),
}  # fmt: skip


@pytest.mark.parametrize("case", INNER_LOOPS)
def test_inner_tiles_count_their_lanes_inside_the_loop_s_range(case):
    loop, before, blocks, truth = INNER_LOOPS[case]
    source = kernel(
        "x: torch.Tensor",
        INNER.format(before=before, loop=loop),
        f"@helion.kernel(config=helion.Config(block_sizes={blocks}))",
    )
    assert_computes_as_torch(source, lambda: [floats(M, N)], truth)


def test_jagged_rows_count_the_lanes_of_each_row():
    """`hl.tile(offsets[i], offsets[i + 1], block_size=4)`: each tile's lanes inside its row."""
    body = (
        "    b = offsets.size(0) - 1\n"
        "    out = torch.zeros([b], dtype=x.dtype, device=x.device)\n"
        "    for i in hl.grid(b):\n"
        "        acc = hl.zeros([1], dtype=torch.float32)\n"
        "        for t in hl.tile(offsets[i], offsets[i + 1], block_size=4):\n"
        "            v = x[t]\n"
        "            acc += v.sum() / v.size(0)\n"
        "        out[i] = acc.sum()\n"
        "    return out\n"
    )
    offsets = [0, 3, 3, 10, 23]

    def truth(x, _):
        return torch.stack(
            [
                sum((x[j : min(j + 4, end)].mean() for j in range(begin, end, 4)), x.new_zeros(()))
                for begin, end in zip(offsets, offsets[1:])
            ]
        )

    assert_computes_as_torch(
        kernel("x: torch.Tensor, offsets: torch.Tensor", body),
        lambda: [floats(23), torch.tensor(offsets, device=DEVICE)],
        truth,
    )
