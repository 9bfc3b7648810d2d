"""Flex attention's constructs (issue 15) on kernels of our own: callables with `*args`,
`Tensor.new_ones(size=())` by keyword, a dimension of 1 indexed by a computed position."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, both_truths, generated, kernel_source

FILE = "mask_mods.py"


def rand(*shape: int) -> torch.Tensor:
    """Values in [0.5, 1.5) or (-1.5, -0.5]: no zeros."""
    magnitude = torch.rand(*shape, dtype=torch.float64) + 0.5
    return (magnitude * torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0).double()).float()


def causal(rows, cols):
    return rows >= cols


def tanh_score(score, *_):
    return torch.tanh(score)


CALLABLES = [  # (score_mod, mask_mod, expected from x, rows, cols)
    (lambda s, *_: torch.tanh(s), causal, lambda x, r, c: torch.where(r >= c, x.tanh(), -1.0)),
    (
        tanh_score,
        lambda r, *rest: r >= rest[0],
        lambda x, r, c: torch.where(r >= c, x.tanh(), -1.0),
    ),
    (
        lambda s, *pos: s * 2 + pos[1],
        lambda *pos: pos[0] < 3,
        lambda x, r, c: torch.where(r < 3, x * 2 + c, -1.0),
    ),
]


@pytest.mark.parametrize("index", range(len(CALLABLES)))
@pytest.mark.parametrize("shape", [(13, 9), (5, 37)], ids=str)
def test_callables_with_star_args(index, shape):
    score_mod, mask_mod, expected = CALLABLES[index]
    x = rand(*shape)
    ours = generated(kernel_source(FILE), "masked_scores", x, score_mod, mask_mod)(
        x, score_mod, mask_mod
    )
    rows = torch.arange(shape[0], dtype=torch.float64)[:, None]
    cols = torch.arange(shape[1], dtype=torch.float64)[None, :]
    assert_matches(ours, expected(x.double(), rows, cols))


@pytest.mark.parametrize("shape", [(7, 19), (33, 3)], ids=str)
def test_new_tensors_sized_by_keyword(shape):
    x = rand(*shape)
    ours, reference = both_truths(FILE, "flags_by_keyword", x)
    assert_matches(ours, x.double() + 0.25)
    assert_matches(ours, reference)


@pytest.mark.parametrize("rows, group", [(37, 64), (21, 8), (9, 16)])
def test_a_dimension_of_one_reads_its_element_at_any_computed_index(rows, group):
    """Helion's indexing: the term of a dimension of 1 is dropped (flex attention's empty
    block mask is [1, 1, 1], indexed by batch, head and row block). A [1, k] table with k row
    blocks keeps its second dimension; a [1, 1] one serves every block."""
    x = rand(rows, 23)
    blocks = -(-rows // group)
    for table in (rand(1, 1), rand(1, blocks)):
        ours = generated(kernel_source(FILE), "scaled_by_block_table", x, table, group)(
            x, table, group
        )
        per_row = table.double()[0, torch.arange(rows) // group % table.size(1)]
        assert_matches(ours, x.double() * per_row[:, None])


@pytest.mark.parametrize("bias_rows", [1, 4])
def test_a_loaded_index_into_a_dimension_of_one(bias_rows):
    x, bias = rand(11, 29), rand(bias_rows, 29)
    picks = torch.randint(0, 4, (11,))
    ours = generated(kernel_source(FILE), "rows_from_loaded_index", x, picks, bias)(x, picks, bias)
    expected = x.double() + bias.double()[picks % bias_rows]
    assert_matches(ours, expected)


def test_the_stride_of_a_dimension_of_one_is_zero_only_for_computed_indices():
    import transpiler

    x, table = rand(9, 5), rand(1, 2)
    code = transpiler.transpile_module(
        kernel_source(FILE),
        only=("scaled_by_block_table",),
        example_args={"scaled_by_block_table": (x, table, 8)},
    ).code
    assert "table.stride(0) if table.size(0) != 1 else 0" in code
    assert "x.stride(0) if" not in code  # tiles index x: its strides as they are
