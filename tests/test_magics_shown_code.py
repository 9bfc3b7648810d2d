"""The view shows the code `--run` ran: a kernel written over `x.size(0)` called with 2-D or
3-D tensors runs code specialised on those ranks, and the pane shows that code, not the 1-D."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import fresh_shell, put, run_magic

ROWS_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def shift(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] * 0.5 + y[tile]
    return out
"""
TWO_KERNELS_CELL = (
    ROWS_CELL
    + """
@helion.kernel()
def negate(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = -x[tile]
    return out
"""
)


@pytest.fixture
def shell(device: str) -> Iterator[InteractiveShell]:
    with fresh_shell(device) as ipython:  # tensors made in a test land on the test device
        yield ipython


def lines_said(plain: str) -> int:
    return int(re.search(r"→ (\d+) lines of Triton", plain).group(1))


@pytest.mark.parametrize(
    ("cell", "expression", "shape", "name"),
    [
        (ROWS_CELL, "shift(a, b)", (37,), "shift"),
        (ROWS_CELL, "shift(a, b)", (7, 9), "shift"),
        (ROWS_CELL, "shift(a, b)", (3, 5, 11), "shift"),
        (TWO_KERNELS_CELL, "negate(a)", (6, 13), "negate"),
    ],
)
def test_the_view_shows_the_code_for_the_ranks_that_ran(shell, cell, expression, shape, name):
    a, b = torch.randn(*shape) + 0.25, torch.randn(*shape) - 0.25
    put(shell, a=a, b=b)
    shown = run_magic(shell, f"--run '{expression}'", cell)
    assert "  PASS" in shown.stdout, shown.stdout + shown.plain()
    kernel = shell.user_ns[name]
    text = html.unescape(re.sub(r"<[^>]+>", "", shown.html()))  # the panes' text
    if len(shape) > 1:  # a stride per dimension in the kernel's signature
        assert f"x_stride_{len(shape) - 1}" in text
    assert f"x_stride_{len(shape)}" not in text
    if cell is ROWS_CELL:
        assert lines_said(shown.plain()) == len(kernel.transpiled((a, b)).code.splitlines())
        assert f'ranks={{"x": {len(shape)}, "y": {len(shape)}}}' in text


def test_without_run_the_view_shows_the_cells_module(shell) -> None:
    shown = run_magic(shell, "", ROWS_CELL)
    module = shell.user_ns["shift"].triton_source
    assert lines_said(shown.plain()) == len(module.splitlines())
