"""A cell of two kernels where `--run` calls one and the other's ranks come from its arguments
(`hl.tile(x.size())`): the view assumes ranks for the uncalled one only, and `--export` names
it (both were an internal RankUnknownError traceback out of the magic)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

# add's tiles are 1-D as written; negate's rank comes from its argument
TWO_KERNELS = (
    ADD_CELL
    + """
@helion.kernel()
def negate(source: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(source)
    for tile in hl.tile(out.size()):
        out[tile] = -source[tile]
    return out
"""
)


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        put(ipython, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5, m=torch.randn(37, 19))
        yield ipython


def test_the_uncalled_kernel_is_shown_at_an_assumed_rank(shell, tmp_path: Path) -> None:
    shown = run_magic(shell, f"--run 'add(x, y)' --export {tmp_path}/k.py", TWO_KERNELS)
    assert "Traceback" not in shown.stdout + shown.stderr, shown.stderr
    assert "PASS" in shown.stdout and "FAIL" not in shown.stdout
    assert "negate: assuming 1-D tensor arguments (not called by --run)" in shown.plain()
    assert "negate_kernel" in shown.html() and "add_kernel" in shown.html()
    assert (
        f"export: nothing written to {tmp_path}/k.py: the ranks of negate come from the "
        "arguments and --run did not call it; call every kernel in --run, e.g. "
        '--run "(add(x, y), negate(source))"'
    ) in shown.stdout
    assert list(tmp_path.iterdir()) == []


def test_without_run_the_hint_calls_the_kernel_that_waits(shell, tmp_path: Path) -> None:
    shown = run_magic(shell, f"--export {tmp_path}/k.py", TWO_KERNELS)
    assert 'add --run "negate(source)" (with arguments of the ranks you will pass)' in shown.stdout
    assert "assuming 1-D tensor arguments (the lowest rank this cell accepts)" in shown.plain()


def test_a_kernel_with_its_own_ranks_needs_no_call(shell, tmp_path: Path) -> None:
    shown = run_magic(shell, f"--run 'negate(m)' --export {tmp_path}/k.py", TWO_KERNELS)
    assert f"exported add, negate → {tmp_path}/k.py" in shown.stdout
    assert "assuming" not in shown.plain()  # both kernels' code is real: 2-D negate, 1-D add
    assert "negate(m)" in shown.stdout and "PASS" in shown.stdout
