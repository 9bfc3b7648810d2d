"""`--check` as users write EXPR: an EXPR that calls none of the cell's kernels, returns None,
draws random inputs, prints, writes into a tensor it names, calls an earlier cell's kernel, or
returns Python floats. Each was a PASS or FAIL that compared nothing real (or printed twice)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

from magics import checking

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n"
ROW_SUM = (
    HEADER
    + """@helion.kernel()
def row_sum(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile, :].sum(-1)
    return out
"""
)
ADD_INTO = (
    HEADER
    + """@helion.kernel()
def add_into(out: torch.Tensor, x: torch.Tensor) -> None:
    for tile in hl.tile(out.size(0)):
        out[tile] = out[tile] + x[tile]
"""
)
# host code calling `add`, a kernel an earlier cell defined
TWICE_ADD = (
    HEADER
    + """@helion.kernel()
def twice_add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    total = add(x, y)
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = total[tile] * 2.0
    return out
"""
)


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        put(ipython, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5, m=torch.randn(37, 65))
        yield ipython


def test_an_expression_that_calls_no_kernel_compares_nothing(shell) -> None:
    shown = run_magic(shell, "--run 'x + y' --show none", ADD_CELL)
    assert "check x + y: nothing to compare (it calls none of the cell's kernels: add)" in (
        shown.stdout
    )
    assert "PASS" not in shown.stdout


def test_random_inputs_in_the_expression_are_drawn_again_for_the_reference(shell) -> None:
    shown = run_magic(shell, "--run 'row_sum(torch.randn(37, 65) * 3 + 1)' --show none", ROW_SUM)
    assert "  PASS  float32 (37,)" in shown.stdout, shown.stdout  # was FAIL: other inputs


def test_the_expression_prints_once(shell) -> None:
    shown = run_magic(shell, "--run \"print('row sums:', row_sum(m).shape)\" --show none", ROW_SUM)
    assert shown.stdout.count("row sums: torch.Size([37])") == 1
    assert "nothing to compare (it returns None; return the tensors to compare, e.g. --run " in (
        shown.stdout
    )


def test_a_kernel_writing_into_a_named_tensor_is_compared_from_the_same_values(shell) -> None:
    before = torch.randn(1001) * 2
    put(shell, out=before.clone())
    shown = run_magic(shell, "--run 'add_into(out, x) or out' --show none", ADD_INTO)
    assert "  PASS  float32 (1001,)" in shown.stdout, shown.stdout  # was PASS of out vs itself
    assert "float64 reference: skipped (EXPR returns out, which the kernels write into" in (
        shown.stdout
    )
    expected = before.double() + shell.user_ns["x"].double()  # once: the reference's undone
    torch.testing.assert_close(shell.user_ns["out"].double(), expected, rtol=1e-6, atol=1e-6)


def test_an_earlier_cells_kernel_runs_eagerly_in_the_reference(shell) -> None:
    run_magic(shell, "--show none", ADD_CELL)
    launches: list[str] = []
    shell.user_ns["add"].hooks.append(lambda call: launches.append(call.kernel.name))
    run_magic(shell, "--run 'twice_add(x, y)' --no-check --show none", TWICE_ADD)
    unchecked = len(launches)  # the run's own launches of add (one; a GPU's search aside)
    launches.clear()
    shown = run_magic(shell, "--run 'twice_add(x, y)' --show none", TWICE_ADD)
    assert "  PASS  float32 (1001,)" in shown.stdout, shown.stdout
    assert unchecked >= 1 and len(launches) == unchecked  # was 3: the reference runs' launches


def test_python_floats_are_compared_within_float32s_bound(shell) -> None:
    shown = run_magic(shell, "--run 'row_sum(m).tolist()' --show none", ROW_SUM)
    assert "row_sum(m).tolist() → list of 37 floats: [" in shown.stdout
    assert (
        "  PASS  list of 37 floats: " in shown.stdout
        and "(rtol 1e-04, atol 1e-04: Python floats)" in shown.stdout
    )
    shown = run_magic(shell, "--run 'row_sum(m).sum().item()' --show none", ROW_SUM)
    assert "  PASS  float " in shown.stdout, shown.stdout  # was FAIL on the last bit


@pytest.mark.parametrize(
    ("actual", "expected", "passed"),
    [
        ([1.25, -3.5, 7.0], [1.25, -3.5 * (1 + 1e-6), 7.0], True),  # rounding
        ([1.25, -3.5, 7.0], [1.25, -3.6, 7.0], False),
        ([1.25, -3.5], [1.25, -3.5, 7.0], False),  # lengths differ
        (2.75, 2.75 + 1e-7, True),
        (2.75, 2.5, False),
        ([3, 4], [3, 5], False),  # ints: exact
    ],
)
def test_number_comparison(actual, expected, passed) -> None:
    assert checking.compare_leaf("", actual, expected).passed is passed


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.int32])
def test_a_failure_says_how_many_elements_differ_and_where(dtype) -> None:
    reference = (torch.randn(37, 19, device=DEVICE) * 8).to(dtype)
    wrong = reference.clone()
    wrong[5, 11] += 3
    wrong[30, 2] -= 5
    failed = checking.compare_leaf("", wrong, reference)
    assert not failed.passed
    want = reference[5, 11].item()
    got = wrong[5, 11].item()
    shown = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in (got, want)]
    assert failed.detail.endswith(
        f"; 2 of 703 elements differ, the first at [5, 11]: {shown[0]} vs {shown[1]}"
    ), failed.detail
    assert "differ" not in checking.compare_leaf("", reference.clone(), reference).detail
