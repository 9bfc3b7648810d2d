"""hl.jagged_tile / hl.vtile in reference mode: the parents of a jagged loop run one lane at a
time (reference/jagged_lanes.py); generated vs reference vs float64, row by row."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, both_truths, generated, kernel_source, reference

from transpiler.reference.mode import rewrite_for_reference

# Odd lengths with empty rows, one-element rows and a row longer than one inner block.
LENGTHS = [0, 3, 1, 0, 70, 2, 1, 5, 0, 9, 4]
DTYPES = [torch.float16, torch.float32]


def signed(*shape: int, dtype=torch.float32) -> torch.Tensor:
    """Random values in (-1, -0.05] ∪ [0.05, 1), never zero."""
    magnitude = torch.rand(*shape, dtype=torch.float64) * 0.95 + 0.05
    return (magnitude * torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)).to(dtype)


def packed(lengths: list[int], *width: int, dtype=torch.float32):
    counts = torch.tensor(lengths, dtype=torch.int64)
    offsets = torch.cat([torch.zeros(1, dtype=torch.int64), counts.cumsum(0)])
    return signed(int(offsets[-1]), *width, dtype=dtype), offsets


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_row_max_ignores_lanes_past_each_length(dtype):
    """All values negative: a lane past a row's end read as 0 would be the maximum."""
    x = -signed(len(LENGTHS), 75, dtype=dtype).abs()
    lengths = torch.tensor(LENGTHS, dtype=torch.int32)
    ours, reference_result = both_truths("jagged_lanes.py", "jagged_row_max", x, lengths)
    expected = torch.stack(
        [
            x[i, :n].double().amax() if n else torch.tensor(-torch.inf).double()
            for i, n in enumerate(LENGTHS)
        ]
    )
    assert_matches(ours, reference_result)
    assert_matches(ours, expected)
    assert torch.isneginf(reference_result[torch.tensor(LENGTHS) == 0]).all()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_two_dimensional_parent(dtype):
    rows, heads, longest = 5, 3, 37
    lengths = torch.randint(0, longest + 1, (rows, heads))
    lengths[0, 1], lengths[3, 2] = 0, longest
    x = signed(rows, heads, longest, dtype=dtype)
    ours, reference_result = both_truths("jagged_lanes.py", "jagged_head_sums", x, lengths)
    expected = torch.tensor(
        [[x[b, h, : lengths[b, h]].double().sum() for h in range(heads)] for b in range(rows)],
        dtype=torch.float64,
    )
    assert_matches(ours, reference_result)
    assert_matches(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_parent_beside_a_plain_tile_stores_through_the_jagged_tile(dtype):
    lengths = [3, 0, 17, 1, 9]
    max_len, width = 19, 6
    values, offsets = packed(lengths, width, dtype=dtype)
    args = (values, offsets, max_len)
    ours, reference_result = both_truths("jagged_lanes.py", "jagged_to_padded", *args)
    expected = torch.zeros(len(lengths), max_len, width, dtype=torch.float64)
    bounds = offsets.tolist()
    for row, length in enumerate(lengths):
        expected[row, :length] = values[bounds[row] : bounds[row + 1]].double() * length
    assert_matches(ours, reference_result)
    assert_matches(ours, expected)
    assert (reference_result[1] == 0).all() and (reference_result[0, 3:] == 0).all()


def test_vtile_two_passes():
    lengths = [4, 1, 33, 7, 2, 65, 3]
    values, offsets = packed(lengths)
    values = values * 6  # a wide range: the maximum matters
    ours, reference_result = both_truths("jagged_lanes.py", "vtile_row_logsumexp", values, offsets)
    bounds = offsets.tolist()
    expected = torch.stack(
        [torch.logsumexp(values[bounds[i] : bounds[i + 1]].double(), 0) for i in range(7)]
    )
    assert_matches(ours, reference_result)
    assert_matches(ours, expected)


def test_lanes_split_only_the_parents():
    """The loops a jagged loop's lengths read get block_size=1 on those dimensions only."""
    code = rewrite_for_reference(kernel_source("jagged_lanes.py"))
    assert "for tile_b in hl.tile(num_rows, block_size=1):" in code
    assert "for tile_b, tile_h in hl.tile([num_rows, heads], block_size=[1, 1]):" in code
    assert "for tile_b, tile_m in hl.tile([num_rows, m], block_size=[1, None]):" in code
    assert "for tile_r in hl.tile(num_rows, block_size=1):" in code
    assert "for tile_b in hl.tile(num_rows, block_size=4):" in code  # the source's, kept
    assert "for tile_b, tile_m in hl.tile([num_rows, m], block_size=[1, 4]):" in code
    assert "for tile_b in hl.tile(num_rows, block_size=1):\n        total" in code


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_parent_whose_block_sizes_the_source_gives(dtype):
    """`block_size=[None, 4]`: the parent's None becomes 1, the column tile keeps its 4."""
    rows, longest, width = 7, 23, 9
    lengths = torch.tensor([5, 0, 23, 1, 11, 0, 7])
    x = signed(rows, longest, width, dtype=dtype)
    ours, reference_result = both_truths("jagged_lanes.py", "jagged_column_means", x, lengths)
    expected = torch.zeros(rows, width, dtype=torch.float64)
    for row, length in enumerate(lengths.tolist()):
        if length:
            expected[row] = x[row, :length].double().mean(dim=0)
    assert_matches(ours, reference_result)
    assert_matches(ours, expected)


def test_vtile_parent_of_block_size_none():
    x = signed(len(LENGTHS), 75)
    lengths = torch.tensor(LENGTHS)
    ours, reference_result = both_truths("jagged_lanes.py", "vtile_row_sum_block_none", x, lengths)
    expected = torch.stack([x[i, :n].double().sum() for i, n in enumerate(LENGTHS)])
    assert_matches(ours, reference_result)
    assert_matches(ours, expected)


def test_a_parent_of_fixed_block_size_refuses_to_run_eagerly():
    """The generated kernel is right; reference mode refuses rather than read past a lane."""
    x = signed(len(LENGTHS), 75)
    lengths = torch.tensor(LENGTHS)
    source = kernel_source("jagged_lanes.py")
    ours = generated(source, "jagged_sum_fixed_block", x, lengths)(x, lengths)
    assert_matches(ours, torch.stack([x[i, :n].double().sum() for i, n in enumerate(LENGTHS)]))
    with pytest.raises(NotImplementedError, match=r"hl\.jagged_tile in reference mode"):
        reference(source, "jagged_sum_fixed_block")(x, lengths)
