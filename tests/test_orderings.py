"""sort, argsort, msort, topk, flip, cummax, cummin and logcumsumexp along a whole row, against
eager torch (reference mode runs the same source in torch) on odd sizes, NaN and ±inf included."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, GPU_ONLY_BF16, generated

import transpiler
from transpiler import TranspileError
from transpiler.reference.mode import reference_function

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n"

# One line per op spelling; each stores into its own slice of `out` / `idx` (values, indices).
ROWS = (
    HEADER
    + """@helion.kernel()
def rows(
    x: torch.Tensor, out: torch.Tensor, idx: torch.Tensor, top: torch.Tensor, low: torch.Tensor
) -> torch.Tensor:
    m, n = x.size()
    for tile_m in hl.tile(m):
        v = x[tile_m, :]
        s, i = torch.sort(v, dim=1, stable=True)
        out[tile_m, :, 0] = s
        idx[tile_m, :, 0] = i
        d = v.sort(dim=1, descending=True, stable=True)
        out[tile_m, :, 1] = d.values
        idx[tile_m, :, 1] = d.indices
        idx[tile_m, :, 2] = torch.argsort(v, dim=-1, stable=True)
        idx[tile_m, :, 3] = v.argsort(stable=True, dim=1, descending=True)
        out[tile_m, :, 2] = torch.flip(v, [1])
        out[tile_m, :, 3] = v.flip(-1)
        running = torch.cummax(v, 1)
        out[tile_m, :, 4] = running.values
        idx[tile_m, :, 4] = running.indices
        smallest, where = v.cummin(dim=1)
        out[tile_m, :, 5] = smallest
        idx[tile_m, :, 5] = where
        values, indices = torch.topk(v, 4, dim=1)
        top[tile_m, :, 0] = values
        top[tile_m, :, 1] = indices
        values, indices = v.topk(2, largest=False)
        low[tile_m, :, 0] = values
        low[tile_m, :, 1] = indices
    return out
"""
)

SCANS = (
    HEADER
    + """@helion.kernel()
def scans(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.logcumsumexp(x[tile_m, :], 1)
    return out
"""
)


def row_inputs(m: int, n: int, dtype: torch.dtype) -> torch.Tensor:
    """Distinct values (no ties but the ones placed), NaN and ±inf in some rows, ties in one."""
    if dtype.is_floating_point:
        x = torch.randperm(m * n, dtype=torch.float64).reshape(m, n) / 8 - m * n / 16
        x = torch.where(x == 0, 0.5 * m * n, x)  # no zeros
        x[0, 3], x[1, 5], x[2, 7], x[1, 0] = float("nan"), float("inf"), float("-inf"), float("nan")
    else:
        x = torch.randperm(m * n).reshape(m, n) - m * n // 2 + 1 / 2
        x = torch.where(x < 0, x - 0.5, x + 0.5).to(torch.int64)  # no zeros
    if n > 9:  # ties (of the row's median: not among topk's): a stable sort keeps their order
        x[3, :4] = x[3, 9] = x[3].median()
    return x.to(dtype)


def both(source: str, name: str, *args: torch.Tensor) -> tuple[list, list]:
    launcher = generated(source, name, *args)
    ours = [a.clone() for a in args]
    launcher(*ours)
    eager = [a.clone() for a in args]  # torch on the CPU: on an H100, torch's own bfloat16
    reference_function(source, name)(*eager)  # sort put a NaN first, ascending
    return ours, eager


@pytest.mark.parametrize(
    ("dtype", "n"),
    [
        (torch.float32, 37),
        (torch.float32, 64),  # a whole block: no lane outside
        (torch.float16, 37),
        (torch.bfloat16, 37),  # sorting moves values: the interpreter rounds nothing here
        (torch.int32, 37),
        (torch.int16, 64),
    ],
)
def test_orderings_match_eager_torch(dtype: torch.dtype, n: int) -> None:
    m = 5
    x = row_inputs(m, n, dtype)
    out, idx = torch.zeros(m, n, 6, dtype=dtype), torch.zeros(m, n, 6, dtype=torch.int64)
    top, low = torch.zeros(m, 4, 2, dtype=torch.float64), torch.zeros(m, 2, 2, dtype=torch.float64)
    ours, eager = both(ROWS, "rows", x, out, idx, top, low)
    for name, mine, theirs in zip(("x", "out", "idx", "top", "low"), ours, eager):
        assert torch.equal(mine.double().nan_to_num(7e7), theirs.double().nan_to_num(7e7)), name
    expected = torch.sort(x, dim=1, stable=True).values  # the reference is torch's own answer
    assert torch.equal(eager[1][:, :, 0].nan_to_num(7e3), expected.nan_to_num(7e3))


@pytest.mark.parametrize("n", [37, 3])
def test_orderings_on_a_row_of_three_lanes(n: int) -> None:
    """Rows shorter than the padded block (3 of 4 lanes): the lane outside never leaks in."""
    source = ROWS.replace("torch.topk(v, 4, dim=1)", "torch.topk(v, 2, dim=1)")
    x = torch.randn(6, n) * 100
    x[0, 1] = float("nan")
    out, idx = torch.zeros(6, n, 6), torch.zeros(6, n, 6, dtype=torch.int64)
    top, low = torch.zeros(6, 2, 2), torch.zeros(6, 2, 2)
    ours, eager = both(source, "rows", x, out, idx, top, low)
    for mine, theirs in zip(ours, eager):
        assert torch.equal(mine.nan_to_num(7e7), theirs.nan_to_num(7e7))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, GPU_ONLY_BF16])
def test_logcumsumexp_matches_float64(dtype: torch.dtype) -> None:
    x = torch.randn(7, 45, dtype=torch.float64) * 4
    x[0, 3], x[1, 5], x[2, 7], x[3, :] = float("nan"), float("inf"), float("-inf"), float("-inf")
    out = torch.zeros(7, 45, dtype=dtype)
    ours, eager = both(SCANS, "scans", x.to(dtype), out)
    truth = torch.logcumsumexp(x.to(dtype).double(), 1)
    bound = {"atol": 1e-5, "rtol": 1e-5} if dtype == torch.float32 else {"atol": 2e-2, "rtol": 2e-2}
    torch.testing.assert_close(ours[1].double(), truth, equal_nan=True, **bound)
    torch.testing.assert_close(ours[1].double(), eager[1].double(), equal_nan=True, **bound)


# Second and third kernels: a sort along the first dimension (x[:, tile]: permuted to sort the
# last), a flip and running extremes of a computed row in a grid loop, a descending argsort
# of integers, msort.
COLUMNS = (
    HEADER
    + """@helion.kernel()
def columns(x: torch.Tensor, out: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    for tile_n in hl.tile(n):
        column = x[:, tile_n]
        ordered, where = column.sort(dim=0, descending=True, stable=True)
        out[:, tile_n, 0] = ordered
        idx[:, tile_n, 0] = where
        out[:, tile_n, 1] = torch.msort(column * 2 - 1)
        out[:, tile_n, 2] = torch.flip(column, dims=(0,))
    return out
"""
)

GRID = (
    HEADER
    + """@helion.kernel()
def grid(x: torch.Tensor, out: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    for i in hl.grid(m):
        row = x[i, :] * 3 - 1
        out[i, :, 0] = torch.flip(row, [0]) + torch.cummax(row, 0).values
        idx[i, :, 0] = torch.cummin(x[i, :], 0).indices + torch.argsort(x[i, :], descending=True, stable=True)
        out[i, :, 1] = torch.logcumsumexp(x[i, :], 0)
    return out
"""
)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_a_column_sort_and_a_grid_row_match_eager_torch(dtype: torch.dtype) -> None:
    x = row_inputs(13, 29, dtype).T.contiguous()  # 29 rows; NaN, inf and ties in columns
    out, idx = torch.zeros(29, 13, 3, dtype=dtype), torch.zeros(29, 13, 1, dtype=torch.int64)
    ours, eager = both(COLUMNS, "columns", x, out, idx)
    assert torch.equal(ours[1].nan_to_num(7e3), eager[1].nan_to_num(7e3))
    assert torch.equal(ours[2], eager[2])
    rows = row_inputs(9, 31, dtype)
    out, idx = torch.zeros(9, 31, 2, dtype=dtype), torch.zeros(9, 31, 1, dtype=torch.int64)
    ours, eager = both(GRID, "grid", rows, out, idx)
    torch.testing.assert_close(
        ours[1].double(), eager[1].double(), atol=2e-2, rtol=2e-2, equal_nan=True
    )
    assert torch.equal(ours[2], eager[2])


ONE = (
    HEADER
    + """@helion.kernel()
def one(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = LINE
    return out
"""
)
ROW = ONE.replace("for tile_m, tile_n in hl.tile([m, n])", "for tile_m in hl.tile(m)").replace(
    "out[tile_m, tile_n]", "out[tile_m, :]"
)


@pytest.mark.parametrize(
    ("source", "line", "message", "hint"),
    [
        (ONE, "torch.sort(x[tile_m, tile_n], 1)[0]", "along the tile tile_n", "x[tile_m, :]"),
        (ONE, "x[tile_m, tile_n].argsort(1)", "along the tile tile_n", "x[tile_m, :]"),
        (ROW, "torch.topk(x[tile_m, :], 3)[0]", "k is a power of two", "k=4"),
        (ROW, "torch.flip(x[tile_m, :], [0, 1])", "several dims at once", "one dim at a time"),
        (ROW, "torch.sort(x[tile_m, :], dim=1, descnding=True)[0]", "descnding", "descending"),
        (ROW, "torch.cummax(x[tile_m, :])[0]", "dim", ""),
    ],
    ids=["sort-tile", "argsort-tile", "topk-3", "flip-two-dims", "misspelt", "no-dim"],
)
def test_orderings_refused_with_what_to_write(source, line, message, hint) -> None:
    args = (torch.randn(5, 8), torch.empty(5, 8))
    with pytest.raises(TranspileError) as raised:
        transpiler.transpile_module(source.replace("LINE", line), example_args={"one": args})
    assert message in str(raised.value) and hint in str(raised.value)


def test_topk_of_more_than_the_row_is_refused_by_the_launcher() -> None:
    source = ROW.replace("out[tile_m, :] = LINE", "out[tile_m, :] = torch.topk(x[tile_m, :], 8)[0]")
    x, out = torch.randn(5, 6), torch.empty(5, 8)
    launcher = generated(source, "one", x, out)
    with pytest.raises(RuntimeError, match="topk's k=8 is more than n"):
        launcher(x, out)


@pytest.mark.parametrize("dtype", [torch.int64, torch.float64])
def test_a_sort_of_64_bit_values_is_refused_by_the_launcher(dtype: torch.dtype) -> None:
    source = ROW.replace("out[tile_m, :] = LINE", "out[tile_m, :] = torch.sort(x[tile_m, :])[0]")
    x = torch.arange(40, dtype=dtype).reshape(5, 8)
    launcher = generated(source, "one", x, torch.empty_like(x))
    with pytest.raises(TypeError, match=f"32-bit values or narrower: x is {dtype}"):
        launcher(x, torch.empty_like(x))


def test_the_cost_model_counts_each_ordering_by_its_table_row() -> None:
    from transpiler.analysis.perf.walk import kernel_cost
    from transpiler.compile.ops.table_orderings import ORDERING_OPS_BY_NAME as ROWS_BY_NAME

    x = torch.randn(5, 37)
    args = (x, torch.zeros(5, 37, 2), torch.zeros(5, 37, 1, dtype=torch.int64))
    per_element = sum(ROWS_BY_NAME[n].flops for n in ("cummax", "cummin", "argsort"))
    per_element += ROWS_BY_NAME["logcumsumexp"].flops + 2 + 1  # x * 3 - 1, flip + cummax
    assert kernel_cost(GRID, "grid", args).flops == 5 * 37 * per_element


def test_the_125_op_comparison_runs_its_ops() -> None:
    """benchmarks/ops_compare.py (issue 21's yardstick): 125 ops, each outcome named."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    import ops_compare

    assert len(ops_compare.OPS) == 125 == len({name for name, _, _ in ops_compare.OPS})
    chosen = {name: (expression, domain) for name, expression, domain in ops_compare.OPS}
    for name, expected in (("topk", "ok"), ("erfinv", "refused")):
        assert ops_compare.outcome(name, *chosen[name], "ours", DEVICE)[0] == expected
