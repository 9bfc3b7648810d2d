"""`--export` says which kernels the file's self-check has no inputs for (a kernel `--run` did not
call, or no `--run` at all): `python PATH` checked nothing of them and exited 0 without a word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic
from test_export import run_standalone

TWO_KERNELS = (
    ADD_CELL
    + """
@helion.kernel()
def negate(source: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(source)
    for tile in hl.tile(out.size(0)):
        out[tile] = -source[tile]
    return out
"""
)


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        put(ipython, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5)
        yield ipython


def test_the_kernel_run_did_not_call_is_named(shell, tmp_path: Path) -> None:
    path = tmp_path / "kernels.py"
    shown = run_magic(shell, f"--run 'negate(x)' --export {path} --show none", TWO_KERNELS)
    assert f"exported add, negate → {path} (standalone" in shown.stdout
    assert (
        f"note: `python {path}` checks nothing of add (--run did not call it); add a call of "
        "each kernel to --run to give its self-check inputs"
    ) in shown.stdout
    done = run_standalone(path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "negate: max error" in done.stdout and "PASS" in done.stdout
    assert "add:" not in done.stdout  # what the note says: add is not checked


def test_without_run_every_kernel_is_named(shell, tmp_path: Path) -> None:
    shown = run_magic(shell, f"--export {tmp_path}/k.py --show none", TWO_KERNELS)
    assert "checks nothing of add, negate (there was no --run)" in shown.stdout


def test_every_kernel_called_needs_no_note(shell, tmp_path: Path) -> None:
    line = f"--run '(add(x, y), negate(x))' --export {tmp_path}/k.py --show none"
    shown = run_magic(shell, line, TWO_KERNELS)
    assert "exported add, negate" in shown.stdout and "note:" not in shown.stdout
    minimal = run_magic(shell, f"--export-minimal {tmp_path}/m.py --show none", TWO_KERNELS)
    assert "kernels and launchers only" in minimal.stdout and "note:" not in minimal.stdout


def test_a_failed_run_writes_nothing(shell, tmp_path: Path) -> None:
    line = f"--run 'add(x, y[:500])' --export {tmp_path}/k.py --export-minimal {tmp_path}/m.py"
    shown = run_magic(shell, line, TWO_KERNELS)
    assert "helion: running add(x, y[:500]) failed" in shown.plain()
    for name in ("k.py", "m.py"):
        assert (
            f"export: nothing written to {tmp_path}/{name}: --run add(x, y[:500]) or its check "
            "failed (above); the file is written from a run that worked"
        ) in shown.stdout  # was: written, its self-check without inputs ("there was no --run")
    assert list(tmp_path.iterdir()) == []
