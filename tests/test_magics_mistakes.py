"""The mistakes of tests/test_mistakes.py made in %%helion cells: what the cell shows names the
mistake and its line, with no traceback and none of the transpiler's frames."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

SCALED_CELL = ADD_CELL.replace(
    "def add(x: torch.Tensor, y: torch.Tensor)", "def add(x: torch.Tensor, y: int)"
).replace("x[tile] + y[tile]", "x[tile] + y")

# (id, options, cell, fragments the output shows)
CELLS = [
    ("argument-missing-in-the-cell", "", ADD_CELL + "\nadd(x)\n",
     ["missing a required argument: 'y'", "at cell line 12: add(x)"]),
    ("argument-missing-in-run", "--run 'add(x)'", ADD_CELL,
     ["running add(x) failed", "missing a required argument: 'y'"]),
    ("misspelt-keyword-in-run", "--run 'add(x, yy=y)'", ADD_CELL,
     ["did you mean 'y'?"]),
    ("list-for-a-tensor", "--run 'add([1.0], y)'", ADD_CELL,
     ["'x' must be a torch.Tensor, not list"]),
    ("int-past-int64-in-run", "--run 'add(x, 2**70)'", SCALED_CELL,
     ["does not fit in int64"]),
    ("int-past-int64-in-the-cell", "", SCALED_CELL + "\nadd(torch.randn(5), 2**70)\n",
     ["does not fit in int64", "at cell line 12"]),
    ("tile-over-a-tensor", "", ADD_CELL.replace("hl.tile(out.size(0))", "hl.tile(x)"),
     ["TileArgumentError: a loop size must be an integer, not the tensor x", "^",
      "hint: tile its sizes"]),
    ("tile-reassigned", "", ADD_CELL.replace(
        "out[tile] = x[tile] + y[tile]", "tile = tile\n        out[tile] = x[tile]"),
     ["it is assigned here", "cell line 9"]),
    ("config-by-position", "",
     ADD_CELL.replace("@helion.kernel()", "@helion.kernel(helion.Config(block_sizes=[32]))"),
     ["ConfigError", "by keyword", "cell line 5"]),
]  # fmt: skip


@pytest.fixture
def shell(device: str) -> Iterator[InteractiveShell]:
    with fresh_shell(device) as ipython:
        yield ipython


@pytest.mark.parametrize(
    ("options", "cell", "fragments"), [c[1:] for c in CELLS], ids=[c[0] for c in CELLS]
)
def test_a_mistake_in_a_cell_shows_no_traceback(shell, device, options, cell, fragments):
    put(shell, x=torch.randn(37, device=device), y=torch.randn(37, device=device))
    shown = run_magic(shell, options, cell)
    text = "\n".join([shown.stdout, shown.stderr, shown.plain()])
    for fragment in fragments:
        assert fragment in text, text
    assert "Traceback" not in text and 'File "' not in text, text
    assert "/transpiler/" not in text and "site-packages" not in text, text
