"""A cell ending in an expression (`add(x, y)[:3]`), as a plain cell would be written: IPython
displays its value, a `%%helion` cell ran it and showed nothing without a word."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

from magics.notes import last_expression_note


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        put(ipython, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5)
        yield ipython


def test_a_last_expression_is_named_with_the_option_that_shows_it(shell) -> None:
    shown = run_magic(shell, "--show none", ADD_CELL + "add(x, y)[:3]")  # no final newline
    assert shown.stdout.splitlines()[-1] == (
        "note: the cell's last line `add(x, y)[:3]` is not displayed (a %%helion cell runs as a "
        "module); --run 'add(x, y)[:3]' on the magic line shows its value and checks it"
    )


@pytest.mark.parametrize(
    ("tail", "noted"),
    [
        ("add(x, y)\n", True),
        ("out = add(x, y)\n", False),  # an assignment displays nothing in a plain cell either
        ("print(add(x, y).shape)\n", False),
        ('"""a closing docstring"""\n', False),
        ("(add(x, y),\n add(y, x))\n", False),  # several lines: no --run to give
        ("", False),
    ],
)
def test_which_endings_are_noted(tail: str, noted: bool) -> None:
    assert (last_expression_note(ADD_CELL + tail) is not None) is noted
