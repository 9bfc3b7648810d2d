"""`--export` of a cell that reads names an earlier cell bound: literals (numbers, strings,
bools, None, dtypes) follow the cell's source in the file, which then runs as a script; other
values (a function, a tensor, a module) write nothing and name what to define in the cell."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import fresh_shell, run_magic

CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel(config=helion.Config(block_sizes=[16]))
def scaled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x, dtype={dtype})
    f = {factor}
    for tile in hl.tile(out.size(0)):
        out[tile] = (x[tile] * f).to(out.dtype)
    return out
"""

# (the earlier cell, the dtype / factor the kernel spells, the names the file must define)
LITERALS = [
    ("FACTOR = 3.0", "x.dtype", "FACTOR", ["FACTOR = 3.0"]),
    ("DTYPE = torch.float64\nK = 7", "DTYPE", "K", ["DTYPE = torch.float64", "K = 7"]),
]


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        yield ipython


@pytest.mark.parametrize(("earlier", "dtype", "factor", "defined"), LITERALS)
def test_an_earlier_cells_literals_follow_the_source_and_the_file_runs(
    shell, tmp_path, earlier, dtype, factor, defined
):
    shell.run_cell(earlier + "\nx = torch.randn(37) + 0.25")
    target = tmp_path / "scaled.py"
    shown = run_magic(
        shell,
        f"--run 'scaled(x)' --show none --export {target}",
        CELL.format(dtype=dtype, factor=factor),
    )
    assert "exported scaled" in shown.stdout, shown.stdout + shown.stderr
    text = target.read_text()
    for line in defined:
        assert f"\n{line}  # bound by an earlier cell" in text
    env = {**os.environ, "TRITON_INTERPRET": "1"}
    done = subprocess.run(
        [sys.executable, str(target)], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0 and "PASS" in done.stdout, done.stderr


@pytest.mark.parametrize(
    ("earlier", "factor", "named"),
    [
        ("def helper(t):\n    return 2.0", "helper(x)", "helper"),
        ("SCALE = torch.tensor(2.0)\nUSE = True", "SCALE.item() if USE else 1.0", "SCALE"),
        ("SCALES = {'a': 0.5}\nKEY = 'a'", "SCALES[KEY]", "SCALES"),
    ],
)
def test_other_values_from_an_earlier_cell_write_nothing_and_say_what_to_define(
    shell, tmp_path, earlier, factor, named
):
    shell.run_cell(earlier + "\nx = torch.randn(37) + 0.25")
    target = tmp_path / "scaled.py"
    shown = run_magic(
        shell, f"--show none --export {target}", CELL.format(dtype="x.dtype", factor=factor)
    )
    assert f"export: nothing written to {target}: the cell uses {named}" in shown.stdout
    assert "define or import" in shown.stdout
    assert not target.exists()
    assert torch.get_default_device().type == DEVICE  # the shell's own, as fresh_shell set it


# device loops that read an earlier cell's literals directly (the module's constants)
DEVICE_READS = [
    ("SCALE = 2.5", "x[tile] * SCALE", lambda x: x * 2.5),
    ("OFFSET = -3\nHALF = torch.float16", "(x[tile] + OFFSET).to(HALF).float()", None),
    (
        "LIMIT = 0.75\nON = True",
        "torch.where(x[tile] > LIMIT, x[tile], 0.0) if ON else x[tile]",
        None,
    ),
]
DEVICE_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel(config=helion.Config(block_sizes=[16]))
def scaled(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = {expression}
    return out
"""


@pytest.mark.parametrize(("earlier", "expression", "expected"), DEVICE_READS)
def test_a_device_loop_reads_an_earlier_cells_literals_as_constants(
    shell, earlier, expression, expected
):
    shell.run_cell(earlier + "\nx = torch.randn(37, dtype=torch.float64).float() + 0.25")
    shown = run_magic(shell, "--show none", DEVICE_CELL.format(expression=expression))
    assert "cannot transpile" not in shown.stdout + shown.stderr, shown.stdout + shown.stderr
    namespace = shell.user_ns
    x = namespace["x"]
    tile = slice(None)
    eager = eval(expression, {**namespace, "tile": tile})  # the expression run by torch
    torch.testing.assert_close(namespace["scaled"](x), eager if expected is None else expected(x))


def test_an_earlier_cells_changed_literal_is_read_when_the_cell_runs_again(shell):
    cell = DEVICE_CELL.format(expression="x[tile] * SCALE")
    shell.run_cell("SCALE = 2.0\nx = torch.randn(29) + 0.5")
    run_magic(shell, "--show none", cell)
    x = shell.user_ns["x"]
    torch.testing.assert_close(shell.user_ns["scaled"](x), x * 2.0)
    shell.run_cell("SCALE = -3.0")
    run_magic(shell, "--show none", cell)
    torch.testing.assert_close(shell.user_ns["scaled"](x), x * -3.0)


def test_the_cells_statements_run_once(shell):
    """The generated module leaves out what only runs (prints, calls): the cell's prints are
    printed once, by the cell, not again when the kernel's module is loaded."""
    cell = DEVICE_CELL.format(expression="x[tile] + 1") + (
        "\nx = torch.randn(33) + 0.5\nprint('ran', float(scaled(x).sum() - x.sum()))\n"
    )
    shown = run_magic(shell, "", cell)
    assert shown.stdout.count("ran 33.0") == 1, shown.stdout
    assert "print(" not in shell.user_ns["scaled"].specialisations[0].transpiled.code
