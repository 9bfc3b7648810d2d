"""Constructs the shape analysis once left unknown (tests/kernels/plan_constructs.py: stack, cat,
gathers, jagged tiles, views, unit tiles, hl.load / hl.store / hl.cumsum, bmm's out_dtype): each
loop is lowered once and computes what float64 torch does; a fact the plan lacks is an
InternalTranspilerError at the construct's line, never a second run or a silent result."""

from __future__ import annotations

import collections

import pytest
import torch
from helpers import assert_matches, generated, kernel_source

import transpiler
from transpiler.compile.frontend.errors import InternalTranspilerError, UnsupportedConstructError
from transpiler.compile.lower import loop as loop_module
from transpiler.compile.lower.kernel import KernelBuilder
from transpiler.compile.lower.shape_meeting import ShapeFacts

FILE = "plan_constructs.py"


def randn(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64).float()


def indices(high: int, *shape: int) -> torch.Tensor:
    return torch.randint(0, high, shape)


def offsets_of(lengths: list[int]) -> torch.Tensor:
    return torch.tensor([0, *torch.tensor(lengths).cumsum(0).tolist()])


def _jagged_sums(values, offsets, weight):
    rows = [values[offsets[i] : offsets[i + 1]].sum(0) for i in range(len(offsets) - 1)]
    return torch.stack(rows) * weight if rows else values[:0]


def _padded_sums(x, lengths):
    keep = torch.arange(x.size(1))[None, :] < lengths[:, None]
    return (x * keep[:, :, None]).sum(1)


def _unit_rows_sorted(x):
    return x.sort(dim=1).values


# kernel → (arguments, float64 reference of the result)
CASES = {
    "stack_swapped": (lambda: (randn(37, 2),), lambda x: torch.stack([x[:, 1], x[:, 0] * 2], 1)),
    "stack_rows": (
        lambda: (randn(2, 41), randn(41)),
        lambda x, y: torch.stack([x[0] + y, x[1] - y]) * 0.5,
    ),
    "stack_whole_rows": (
        lambda: (randn(13, 19), randn(13, 19)),
        lambda x, y: torch.stack([x, y.exp()], dim=1),
    ),
    "cat_columns_into": (
        lambda: (randn(37), randn(37), randn(37, 2)),
        lambda a, b, like: torch.stack([a, b * 3], 1),
    ),
    "cat_rows_into": (
        lambda: (randn(29), randn(29), randn(2, 29)),
        lambda a, b, like: torch.stack([a, b.abs()]) + like,
    ),
    "cat_pairs_last": (
        lambda: (randn(23), randn(23), randn(23, 4)),
        lambda x, y, like: torch.stack([x, y, x * y, x - y], 1),
    ),
    "gather_rows": (
        lambda: (randn(11, 21), indices(11, 37), randn(21)),
        lambda x, index, bias: x[index] + bias,
    ),
    "gather_columns": (
        lambda: (randn(13, 21), indices(21, 13, 8), randn(8)),
        lambda x, index, scale: torch.gather(x, 1, index) * scale,
    ),
    "gather_unit_rows": (
        lambda: (randn(11, 21), indices(11, 7)),
        lambda x, index: x[index] * 2,
    ),
    "gather_rows_loaded": (
        lambda: (randn(11, 21), indices(11, 37), randn(37, 21)),
        lambda x, index, like: x[index] * 0.5,
    ),
    "jagged_weighted_sums": (
        lambda: (randn(19, 21), offsets_of([3, 0, 7, 1, 8]), randn(21)),
        _jagged_sums,
    ),
    "jagged_tile_row_norms": (
        lambda: (randn(5, 9, 21), torch.tensor([3, 0, 9, 1, 5]), randn(21)),
        lambda x, lengths, w: _padded_sums(x * w, lengths),
    ),
    "jagged_tile_sums_into": (
        lambda: (randn(5, 11, 19), torch.tensor([3, 11, 0, 1, 6]), randn(19)),
        lambda x, lengths, w: _padded_sums(x, lengths) * w,
    ),
    "unit_rows_times_weight": (lambda: (randn(7, 21), randn(21)), lambda x, w: x * w),
    "unit_rows_sorted": (lambda: (randn(7, 16),), _unit_rows_sorted),
    "squeezed_column_sums": (
        lambda: (randn(13, 21), randn(13, 9)),
        lambda x, y: x.sum(1) + y.sum(1),
    ),
    "expanded_bias": (lambda: (randn(13, 21), randn(21)), lambda x, bias: x + bias),
    "stored_rows_scaled": (
        lambda: (randn(13, 21), randn(21), randn(13, 21)),
        lambda x, w, like: x * w,
    ),
    "running_sums_plus": (lambda: (randn(13, 21), randn(21)), lambda x, w: x.cumsum(1) + w),
    "batched_products_float32": (
        lambda: (randn(3, 13, 16), randn(3, 16, 8)),
        lambda a, b: torch.bmm(a, b),
    ),
}


def test_every_kernel_of_the_file_has_a_case():
    source = kernel_source(FILE)
    defined = {line[4:].split("(")[0] for line in source.splitlines() if line.startswith("def ")}
    assert defined == set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_lowered_once_and_matches_float64(name, monkeypatch):
    make, expected = CASES[name]
    args = make()
    runs: collections.Counter = collections.Counter()
    build = KernelBuilder.build

    def counted(self, node):
        runs[self.kernel_name] += 1
        return build(self, node)

    monkeypatch.setattr(KernelBuilder, "build", counted)
    result = generated(kernel_source(FILE), name, *args)(*args)
    assert dict(runs) == {f"{name}_kernel": 1}
    wide = [a.double() if a.is_floating_point() else a for a in args]
    assert_matches(result, expected(*wide), dots=name.startswith("batched"))


UNIT_TILE_SORTED = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def sorted_along_unit_tile(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m, block_size=1):
        values, _ = torch.sort(x[tile_m, :], dim=0)
        out[tile_m, :] = values
    return out
"""


def test_a_sort_along_a_unit_tile_keeps_its_dimension_and_is_refused_as_a_tile():
    """The analysis keeps the tile's dimension (a sort needs it); lowering then refuses a sort
    along a tile with the user's error, not an internal one."""
    with pytest.raises(UnsupportedConstructError, match="along the tile tile_m") as caught:
        transpiler.transpile_module(
            UNIT_TILE_SORTED, example_args={"sorted_along_unit_tile": (randn(7, 16),)}
        )
    assert not isinstance(caught.value, InternalTranspilerError)


# kernel → (what the error names, the line of the statement it points at)
MISSED = {
    "stack_swapped": ("the sizes 2 and x.size(1) meet", "out[tile, :] = torch.stack("),
    "gather_rows": ("the sizes bias.size(0) and x.size(1) meet", "out[tile, :] = x[index[tile]"),
    "gather_unit_rows": ("a gather into x", "out[tile, :] = x[index[tile], :] * 2.0"),
}


@pytest.mark.parametrize("name", MISSED)
def test_a_fact_the_plan_lacks_is_an_internal_error_at_the_construct(name, monkeypatch):
    """With the analysis' facts taken away, lowering meets what its plan lacks: a bug of ours,
    reported at the statement (never a second run, never a result)."""
    named, statement = MISSED[name]
    monkeypatch.setattr(loop_module, "shape_facts", lambda *args: ShapeFacts())
    make, _ = CASES[name]
    with pytest.raises(InternalTranspilerError, match="found what its plan lacks") as caught:
        transpiler.transpile_module(
            kernel_source(FILE), example_args={name: make()}, only=(name,), filename=FILE
        )
    assert named in str(caught.value)
    assert statement in caught.value.source_line


EXPANDS = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def column_expanded(x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile in hl.tile(m):
        out[tile, :] = x[tile, :] * s[tile][:, None].expand(tile, n)
    return out


@helion.kernel()
def rows_expanded(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile in hl.tile(m):
        out[tile, :] = x[tile, :] - y[tile, :].expand(tile, n)
    return out
"""


# kernel → (arguments of matching sizes, float64 reference, arguments torch's expand refuses)
EXPAND_CASES = {
    "expanded_bias": (
        lambda: (randn(13, 21), randn(21)),
        lambda x, bias: x + bias,
        lambda: (randn(13, 21), randn(19)),
    ),
    "column_expanded": (lambda: (randn(11, 23), randn(11)), lambda x, s: x * s[:, None], None),
    "rows_expanded": (
        lambda: (randn(7, 17), randn(7, 17)),
        lambda x, y: x - y,
        lambda: (randn(7, 17), randn(7, 15)),
    ),
}


@pytest.mark.parametrize("name", EXPAND_CASES)
def test_expand_keeps_a_dimension_only_at_its_own_size(name):
    """torch's expand refuses to change a dimension that is not of size 1: the launcher checks
    the kept whole dimension against the target's (once silently padded with zeros)."""
    make, expected, refused = EXPAND_CASES[name]
    source = kernel_source(FILE) if name in CASES else EXPANDS
    args = make()
    result = generated(source, name, *args)(*args)
    wide = [a.double() for a in args]
    assert_matches(result, expected(*wide))
    if refused is not None:
        bad = refused()
        with pytest.raises(RuntimeError, match="must be equal"):
            generated(source, name, *bad)(*bad)


PAIRS = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def row_max_plus(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    out = torch.empty([m, w.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        best = torch.max(x[tile, :, :], 1)
        out[tile, :] = best.values * w[None, :] + torch.max(x[tile, :, :], dim=1)[0]
    return out


@helion.kernel()
def running_min_places(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    out = torch.empty([m, w.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        places = torch.cummin(x[tile, :], 1).indices
        out[tile, :] = places.to(torch.float32) + w[None, :]
    return out
"""

# kernel → (arguments, float64 reference): a (values, indices) pair read by name or position
PAIR_CASES = {
    "row_max_plus": (
        lambda: (randn(7, 5, 19), randn(19)),
        lambda x, w: x.max(1).values * w + x.max(1).values,
    ),
    "running_min_places": (
        lambda: (randn(9, 23), randn(23)),
        lambda x, w: x.cummin(1).indices.double() + w,
    ),
}


@pytest.mark.parametrize("name", PAIR_CASES)
def test_a_pair_read_by_name_or_position_is_followed(name):
    """torch.max(x, 1).values, [0] and torch.cummin(x, 1).indices meet w's size in the plan
    (they were InternalTranspilerErrors once the retry was gone)."""
    make, expected = PAIR_CASES[name]
    args = make()
    result = generated(PAIRS, name, *args)(*args)
    assert_matches(result, expected(*[a.double() for a in args]))


@pytest.mark.parametrize("name", ["jagged_tile_row_norms", "jagged_tile_sums_into"])
def test_a_jagged_step_beside_a_whole_dimension_shares_its_elements_with_the_tile(name):
    """x[tile_b, tile_k, :]: the step's default shares about 4,096 elements with the enclosing
    tile's block too (16 x 128 x 32 took ptxas 4 s per target and spilled 432 registers on
    gfx942); the cases above take two steps of 8 along their longest rows."""
    make, _ = CASES[name]
    code = transpiler.transpile_module(
        kernel_source(FILE), filename=FILE, example_args={name: make()}, only=(name,)
    ).code
    assert "BLOCK_K = max(1, 4096 // (BLOCK_W0 * BLOCK_B))" in code
