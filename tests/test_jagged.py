"""Jagged kernels (values + offsets, data-dependent row lengths): generated vs reference mode
vs a float64 torch evaluation row by row, with empty and one-element rows included."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, both_truths, kernel_source

import transpiler

# Row lengths: odd, with empty rows (first and inside), one-element rows, and a row longer
# than one block of the inner loop.
LENGTHS = [0, 3, 1, 0, 70, 2, 1, 5, 0, 9, 4]
DTYPES = [torch.float16, torch.float32]


def jagged(lengths: list[int], width: int | None, dtype, offsets_dtype=torch.int64):
    """(values, offsets): random values in (-1, 1), never all zero, rows as `lengths` says."""
    counts = torch.tensor(lengths, dtype=torch.int64)
    offsets = torch.cat([torch.zeros(1, dtype=torch.int64), counts.cumsum(0)]).to(offsets_dtype)
    total = int(offsets[-1])
    shape = (total,) if width is None else (total, width)
    values = (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)
    return values, offsets


def rows(values: torch.Tensor, offsets: torch.Tensor) -> list[torch.Tensor]:
    bounds = offsets.tolist()
    return [values[bounds[i] : bounds[i + 1]].double() for i in range(len(bounds) - 1)]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("offsets_dtype", [torch.int32, torch.int64], ids=str)
def test_jagged_sum(dtype, offsets_dtype):
    values, offsets = jagged(LENGTHS, 7, dtype, offsets_dtype)
    ours, reference = both_truths("jagged.py", "jagged_sum", values, offsets)
    expected = torch.stack([row.sum(dim=0) for row in rows(values, offsets)])
    assert ours.dtype == dtype
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_jagged_mean(dtype):
    values, offsets = jagged(LENGTHS, None, dtype)
    ours, reference = both_truths("jagged.py", "jagged_mean", values, offsets)
    expected = torch.stack(
        [
            row.mean() if row.numel() else torch.zeros((), dtype=torch.float64)
            for row in rows(values, offsets)
        ]
    )
    assert_matches(ours, reference)
    assert_matches(ours, expected)
    assert (ours[torch.tensor(LENGTHS) == 0] == 0).all()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_jagged_softmax(dtype):
    values, offsets = jagged(LENGTHS, 5, dtype)
    values = values * 4  # a wider range: the running maximum matters
    ours, reference = both_truths("jagged.py", "jagged_softmax", values, offsets)
    expected = torch.cat([torch.softmax(row, dim=0) for row in rows(values, offsets)])
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_jagged_dense_add(dtype):
    values, offsets = jagged(LENGTHS, None, dtype)
    max_len = 6  # shorter than the longest rows: those are cut
    dense = (torch.rand(len(LENGTHS), max_len, dtype=torch.float64) * 2 - 1).to(dtype)
    ours, reference = both_truths("jagged.py", "jagged_dense_add", values, offsets, dense)
    padded = torch.zeros(len(LENGTHS), max_len, dtype=torch.float64)
    for index, row in enumerate(rows(values, offsets)):
        padded[index, : min(len(row), max_len)] = row[:max_len]
    assert_matches(ours, reference)
    assert_matches(ours, dense.double() + padded)


def test_jagged_loops_run_over_loaded_bounds():
    """The inner loops' bounds are values loaded from `offsets`, not host sizes; the longest
    row is an integer maximum (a float -inf identity would make it a float loop bound)."""
    source = kernel_source("jagged.py")
    values, offsets = jagged(LENGTHS, 7, torch.float32)
    code = transpiler.transpile(source, example_args={"jagged_sum": (values, offsets)})
    assert "start = upcast_half(tl.load(offsets_ptr + row * offsets_stride_0))" in code
    assert "for begin_k in range(start, end, BLOCK_K):" in code
    assert "mask_k = offs_k < end" in code
    assert "longest = max_nan(fill_lowest(lengths, mask_b))" in code
    assert "for begin_k in range(0, longest, BLOCK_K):" in code


# hl.jagged_tile: reference mode runs the parents one lane at a time (reference/jagged_lanes.py).


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_jagged_tile_row_sum(dtype):
    lengths = torch.tensor(LENGTHS)
    x = (torch.rand(len(LENGTHS), 75, dtype=torch.float64) * 2 - 1).to(dtype)  # padded rows
    ours, reference = both_truths("jagged.py", "jagged_row_sum", x, lengths)
    assert_matches(ours, reference)
    expected = torch.stack([x[i, :n].double().sum() for i, n in enumerate(LENGTHS)])
    assert_matches(ours, expected)


@pytest.mark.parametrize("offsets_dtype", [torch.int32, torch.int64], ids=str)
def test_jagged_tile_mean_packed(offsets_dtype):
    values, offsets = jagged(LENGTHS, None, torch.float32, offsets_dtype)
    ours, reference = both_truths("jagged.py", "jagged_mean_packed", values, offsets)
    assert_matches(ours, reference)
    means = [
        row.mean() if row.numel() else torch.zeros((), dtype=torch.float64)
        for row in rows(values, offsets)
    ]
    assert_matches(ours, torch.stack(means))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_jagged_tile_nested_feature_mean(dtype):
    width = 6
    values, offsets = jagged(LENGTHS, width, dtype)
    widths = torch.randint(1, width + 1, (len(LENGTHS),), dtype=torch.int32)
    args = (values, offsets, widths, width)
    ours, reference = both_truths("jagged.py", "jagged_feature_mean", *args)
    assert_matches(ours, reference)
    expected = torch.zeros(len(LENGTHS), width, dtype=torch.float64)
    for index, row in enumerate(rows(values, offsets)):
        if row.numel():
            expected[index, : widths[index]] = row[:, : widths[index]].mean(dim=0)
    assert_matches(ours, expected)


def test_jagged_tile_lowers_to_a_masked_loop():
    """The loop runs to the longest length; the mask holds one length per parent lane."""
    source = kernel_source("jagged.py")
    x, lengths = torch.rand(3, 4), torch.tensor([1, 2, 3])
    code = transpiler.transpile(source, example_args={"jagged_row_sum": (x, lengths)})
    assert "longest_k = tl.max(tl.where(mask_b, row_lengths, 0))" in code
    assert "for begin_k in range(0, longest_k, BLOCK_K):" in code
    assert "mask_k = offs_k[None, :] < row_lengths[:, None]" in code
    assert "mask=mask_b[:, None] & mask_k," in code
    assert "tl.sum(tl.where(mask_k, int64_if_integer(x_tile), 0), axis=1)" in code


# hl.vtile: Helion's later name for hl.jagged_tile.


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_vtile_column_sums(dtype):
    values, offsets = jagged(LENGTHS, 7, dtype)
    ours, reference = both_truths("jagged.py", "vtile_column_sums", values, offsets)
    assert_matches(ours, reference)
    expected = torch.stack([row.sum(dim=0) for row in rows(values, offsets)])
    assert ours.dtype == dtype
    assert_matches(ours, expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_vtile_row_matmul(dtype):
    """Products per jagged group, the rows argument rebound to its flat view and the output
    allocated flat; the accumulator's dtype is torch.promote_types of the inputs'."""
    lengths = [2, 0, 19, 1, 5, 0, 3]
    values, offsets = jagged(lengths, 9, dtype)
    weights = (torch.rand(len(lengths), 9, 6, dtype=torch.float64) * 2 - 1).to(dtype)
    args = (offsets, values, weights)
    ours, reference = both_truths("jagged.py", "vtile_row_matmul", *args)
    assert_matches(ours, reference, dtype, dots=True)
    expected = torch.cat([row @ weights[g].double() for g, row in enumerate(rows(values, offsets))])
    assert ours.shape == (values.size(0), 6)
    assert_matches(ours, expected, dtype, dots=True)


def test_vtile_lowers_as_jagged_tile():
    source = kernel_source("jagged.py")
    values, offsets = jagged(LENGTHS, 7, torch.float32)
    code = transpiler.transpile(source, example_args={"vtile_column_sums": (values, offsets)})
    assert "longest_k = tl.max(tl.where(mask_b, counts, 0))" in code
    assert "mask_k = offs_k[None, :] < counts[:, None]" in code
