"""User-style probes of values carried across a loop (`acc` of hl.zeros): updated in place
(`acc += v`) torch keeps acc's dtype, wrapping narrow integers and rounding float32; rebound
(`acc = acc + v`) torch widens acc to the update's dtype (an integer sum's int64, a float64
tensor's values), which a Triton loop cannot change: acc enters the loop widened (a float64
tensor's values), or an integer sum's int64 into a narrower acc is refused while transpiling."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

import transpiler
from transpiler import errors

HEADER = """
import helion
import helion.language as hl
import torch
"""


def row_sums(acc_dtype: str, update: str) -> str:
    """An inner loop over column tiles adding each tile's row sums into `acc`."""
    return (
        HEADER
        + f"""
@helion.kernel(config=helion.Config(block_sizes=[8, 32]))
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype={acc_dtype})
        for tile_n in hl.tile(n):
            {update}
        out[tile_m] = acc
    return out
"""
    )


def column_rows(acc_dtype: str, update: str, out_dtype: str = "torch.float64") -> str:
    """hl.grid over rows adding each row of x (or y) into a column-tile accumulator."""
    return (
        HEADER
        + f"""
@helion.kernel(config=helion.Config(block_sizes=[8]))
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype={out_dtype}, device=x.device)
    for tile_n in hl.tile(n):
        acc = hl.zeros([tile_n], dtype={acc_dtype})
        for i in hl.grid(m):
            {update}
        out[tile_n] = acc
    return out
"""
    )


def big(dtype: torch.dtype, *shape: int) -> torch.Tensor:
    info = torch.iinfo(dtype)
    return torch.randint(info.max // 2, info.max, shape, dtype=dtype)


def torch_in_place(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """torch's `acc += tile.sum(1)` over tiles of 32 columns, acc of `dtype`."""
    acc = torch.zeros(x.size(0), dtype=dtype)
    for start in range(0, x.size(1), 32):
        acc += x[:, start : start + 32].sum(1)
    return acc.long()


@pytest.mark.parametrize("acc", ["torch.int8", "torch.int16", "x.dtype"])
@pytest.mark.parametrize("x_dtype", [torch.int8, torch.int16, torch.int32])
def test_an_in_place_sum_into_a_narrow_accumulator_wraps_as_torch(acc, x_dtype):
    """`acc += x[t].sum(1)`: torch sums in int64 and casts back into acc's dtype (wrapping);
    acc of x's dtype (known at run time) compiled nowhere before 2026-12-05."""
    x = big(x_dtype, 5, 301)
    got = generated(row_sums(acc, "acc += x[tile_m, tile_n].sum(1)"), "k", x)(x)
    dtype = x_dtype if acc == "x.dtype" else getattr(torch, acc.removeprefix("torch."))
    assert torch.equal(got, torch_in_place(x, dtype))


@pytest.mark.parametrize("acc", ["torch.int8", "torch.int16", "torch.int32"])
@pytest.mark.parametrize(
    "update",
    ["acc = acc + x[tile_m, tile_n].sum(1)", "acc = torch.maximum(acc, x[tile_m, tile_n].sum(1))"],
)
def test_a_narrow_accumulator_rebound_to_an_integer_sum_is_refused(acc, update):
    """Silently wrong before 2026-12-05: torch widens acc to the sum's int64 (501 row sums past
    int8's range kept whole), the loop cast it back to int8 each iteration."""
    with pytest.raises(
        errors.ShapeError, match=r"a sum's dtype \(int64 where it sums integers"
    ) as caught:
        transpiler.transpile(row_sums(acc, update), filename="probe.py")
    assert caught.value.lineno == 12  # the inner loop
    assert "torch.int64" in str(caught.value)


def test_a_rebinding_of_its_own_dtype_still_runs():
    """int32 acc + int32 values: torch keeps int32, so does the loop (no refusal)."""
    source = column_rows("torch.int32", "acc = acc + x[i, tile_n]", "torch.int32")
    x = torch.randint(-1000, 1000, (13, 9), dtype=torch.int32)
    got = generated(source, "k", x, x)(x, x)
    assert got.dtype == torch.int32 and torch.equal(got, x.sum(0, dtype=torch.int32))


# (update, x's dtype, y's dtype, what torch does with the float32 acc)
FLOATS = [
    ("acc += x[i, tile_n]", torch.float64, torch.float64, "in place"),
    ("acc += x[i, tile_n] * 2", torch.float64, torch.float64, "in place"),
    ("acc = acc + y[i, tile_n] * 2", torch.float32, torch.float32, "rebound"),
    ("acc = acc + y[i, tile_n] * 2", torch.float32, torch.float64, "widened"),
    ("acc = torch.maximum(acc, x[i, tile_n])", torch.float64, torch.float32, "widened"),
]


@pytest.mark.parametrize(("update", "x_dtype", "y_dtype", "expected"), FLOATS)
def test_a_float32_accumulator_meeting_float64_values(update, x_dtype, y_dtype, expected):
    """Before 2026-12-05 these passed the interpreter and failed sm_90's compile (the carried
    float32 became float64): in place torch rounds into float32 each step; rebound, it widens
    acc to float64 (refused at the launch until 2026-12-06; now acc enters the loop widened)."""
    source = column_rows("torch.float32", update)
    x = torch.randn(11, 13, dtype=x_dtype) + 0.5
    y = torch.randn(11, 13, dtype=y_dtype) - 0.25
    kernel = generated(source, "k", x, y)
    acc = torch.zeros(13, dtype=torch.float32)
    for row in range(11):
        if "maximum" in update:
            acc = torch.maximum(acc, x[row])
        elif "y[" in update:
            acc = acc + y[row] * 2
        else:
            acc += x[row] * (2 if "* 2" in update else 1)
    assert acc.dtype == (torch.float64 if expected == "widened" else torch.float32)
    bound = 1e-12 if expected == "widened" else 1e-6  # float32 rounding would fail a widened one
    torch.testing.assert_close(kernel(x, y), acc.double(), rtol=bound, atol=bound)


def test_an_accumulator_of_a_half_input_rebound_to_float64_widens():
    """acc of x's dtype (float16, carried in float32 as computed) + float64 values: torch
    widens it to float64 (refused at the launch until 2026-12-06)."""
    source = column_rows("x.dtype", "acc = acc + y[i, tile_n]")
    x, y = torch.randn(7, 13).half(), torch.randn(7, 13, dtype=torch.float64)
    got = generated(source, "k", x, y)(x, y)
    torch.testing.assert_close(got, y.sum(0), rtol=1e-12, atol=1e-12)
    got = generated(source, "k", x, y.half())(x, y.half())
    torch.testing.assert_close(got, y.half().double().sum(0), rtol=2e-3, atol=2e-3)
