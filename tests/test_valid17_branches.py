"""A Python number set before an `if` whose branch (no `else`) makes the name a block of a
tensor's values (`s = 0.0; if k > 0: s = x[tile].sum()`): valid torch, refused before with
"'s' has a different shape after each branch". The path that skips the branch makes the number
that block in an `else:` of its own (branches.numbers_as_blocks), so `s` is one block after
the `if`. Both paths run, against float64 torch (each launch compiled for sm_90 too, conftest).
A name that is an int on one path and a float on the other stays refused, with a true hint."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, signed_rand

import transpiler
from transpiler.errors import DtypeMismatchError

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[16]))
def users(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        s = 0.0
        if k > 0:
            s = x[tile].sum()
        out[tile] = x[tile] - s
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def row_sums_if_positive(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        s = 0.0
        if x[0, 0] > 0:
            s = x[tile, :].sum(-1)
        out[tile] = x[tile, 1] * 2 - s
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def block_then_number(x: torch.Tensor, k: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        s = x[tile, 2] * 3
        if k > 0:
            s = -0.5
        out[tile] = x[tile, 0] + s
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def int_then_row_max(x: torch.Tensor, k: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        s = 0
        if k > 0:
            s = x[tile, :].amax(-1)
        out[tile] = x[tile, 0] * s + 1
    return out
"""


def D(t: torch.Tensor) -> torch.Tensor:  # noqa: N802 - the float64 truth
    return t.double()


CASES = [  # name, x's shape, k (None: no k), torch's answer from float64 x and k
    ("users", (13,), 1, lambda x, k: x - x.sum()),
    ("users", (13,), -2, lambda x, k: x - 0.0),
    ("row_sums_if_positive", (13, 7), None, lambda x, k: x[:, 1] * 2 - (x.sum(-1) if x[0, 0] > 0 else 0.0)),
    ("block_then_number", (11, 5), 3, lambda x, k: x[:, 0] - 0.5),
    ("block_then_number", (11, 5), 0, lambda x, k: x[:, 0] + x[:, 2] * 3),
    ("int_then_row_max", (29, 3), 1, lambda x, k: x[:, 0] * x.amax(-1) + 1),
    ("int_then_row_max", (29, 3), -1, lambda x, k: x[:, 0] * 0 + 1),
]  # fmt: skip


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
@pytest.mark.parametrize(
    ("name", "shape", "k", "truth"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_a_number_one_path_makes_a_block_computes_as_float64_torch(name, shape, k, truth, dtype):
    x = signed_rand(*shape).to(dtype)
    args = (x,) if k is None else (x, k)
    result = generated(SOURCE, name, *args)(*args)
    assert result.dtype == dtype
    assert_matches(result, truth(D(x), k), dtype)


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["positive", "negative"])
def test_both_paths_of_a_loaded_condition_run(sign):
    x = signed_rand(13, 7)
    x[0, 0] = abs(x[0, 0]) * sign
    result = generated(SOURCE, "row_sums_if_positive", x)(x)
    expected = D(x)[:, 1] * 2 - (D(x).sum(-1) if sign > 0 else 0.0)
    assert_matches(result, expected, torch.float32)


REFUSED = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def int_or_float(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        if x[0] > 0:
            c = 3
        else:
            c = 0.25
        out[tile] = x[tile] * c
    return out
"""


def test_an_int_on_one_path_and_a_float_on_the_other_is_refused_with_the_fix():
    """Beside an int tensor torch's two paths give two dtypes, which one kernel variable cannot
    hold: refused at the use, the hint saying to write the int as a float."""
    line = next(i for i, t in enumerate(REFUSED.splitlines(), 1) if "x[tile] * c" in t)
    with pytest.raises(DtypeMismatchError) as raised:
        transpiler.transpile_module(
            REFUSED, filename="kernels.py", example_args={"int_or_float": (torch.randn(9),)}
        )
    assert raised.value.lineno == line
    assert "'c' is an int after the if branch" in str(raised.value)
    assert "write 'c' as a float on its int path too (c = 2.0, not c = 2)" in str(raised.value)
