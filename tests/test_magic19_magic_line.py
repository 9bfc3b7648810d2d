"""The magic line and the error pane as users type them: an option repeated through argparse's
abbreviation (`--run A --ru B` ran B silently), `--targets` / `-a` with `--show none` (nothing
drawn, nothing said), an `--export` path with `$VARIABLE`s (a folder named `$HOME`), IPython's
`name = !command` in the cell (the generic syntax hint), and the caret under a tab-indented line
(it stood left of the column)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        put(ipython, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5)
        yield ipython


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("--run 'add(x, y)' --ru 'add(y, y)'", "--run and --ru set one option: give it once"),
        ("--ru 'add(x, y)' --run 'add(y, y)'", "--ru and --run set one option: give it once"),
        ("--show none --sh=triton --run 'add(x, y)'", "--show and --sh set one option"),
        ("--run 'add(x, y)' --no-ch --check", "--no-ch and --check set one option"),
        # tabs and shading live in the view: --show none drew nothing and said nothing
        (
            "--run 'add(x, y)' --targets sm_90 --show none",
            "--targets adds a tab per target to the view, which --show none hides: drop one",
        ),
        ("--run 'add(x, y)' -a --show none", "-a shades the view's lines, which --show none hides"),
    ],
)
def test_the_line_is_refused_before_anything_runs(shell, line: str, message: str) -> None:
    shown = run_magic(shell, line, ADD_CELL)
    assert shown.stderr.startswith("UsageError: ") and message in shown.stderr, shown.stderr
    assert not shown.stdout and "add" not in shell.user_ns


def test_an_abbreviation_alone_still_works(shell) -> None:
    shown = run_magic(shell, "--ru 'add(x, y)' --show none", ADD_CELL)
    assert "add(x, y) → Tensor float32 (1001,)" in shown.stdout and "PASS" in shown.stdout


@pytest.mark.parametrize("line", ["listing = !ls", "timing = %timeit -o add(x, y)"])
def test_an_assigned_ipython_command_is_named(shell, line: str) -> None:
    shown = run_magic(shell, "", ADD_CELL + line + "\n")
    assert "cell line 11, column" in shown.plain(), shown.plain()
    assert "hint: a %%helion cell is plain Python: IPython's %magics and !commands" in (
        shown.plain()
    )


def test_the_caret_lines_up_under_a_tab_indented_line(shell) -> None:
    cell = ADD_CELL.replace("    ", "\t").replace("y[tile]", "torch.special.zeta(x[tile], y[tile])")
    shown = run_magic(shell, "--run 'add(x, y)'", cell)
    lines = shown.plain().splitlines()
    source = next(i for i, text in enumerate(lines) if "torch.special.zeta" in text)
    caret = lines[source + 1]
    assert caret.rstrip().endswith("^") and caret.startswith("    \t\t")
    column = len(caret.rstrip()) - 1  # tabs kept: the caret's index is the column's
    assert lines[source][column:].startswith("zeta("), (lines[source], caret)  # the op


def test_an_export_path_reads_the_environments_variables(shell, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("MAGIC19_OUT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    shown = run_magic(shell, "--run 'add(x, y)' --export $MAGIC19_OUT/k.py --show none", ADD_CELL)
    assert "exported add → $MAGIC19_OUT/k.py" in shown.stdout
    assert (tmp_path / "k.py").is_file() and not (tmp_path / "$MAGIC19_OUT").exists()


def test_an_unset_variable_in_an_export_path_is_refused(shell, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("MAGIC19_UNSET", raising=False)
    monkeypatch.chdir(tmp_path)
    shown = run_magic(shell, "--run 'add(x, y)' --export-minimal ${MAGIC19_UNSET}/k.py", ADD_CELL)
    assert shown.stderr.startswith(
        "UsageError: --export-minimal ${MAGIC19_UNSET}/k.py: $MAGIC19_UNSET is not set in the "
        "kernel's environment; write the folder out"
    ), shown.stderr
    assert list(tmp_path.iterdir()) == []  # was a folder named $MAGIC19_UNSET
