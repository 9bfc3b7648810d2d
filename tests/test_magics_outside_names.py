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
    with fresh_shell("cpu") as ipython:
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
    assert torch.get_default_device().type == "cpu"
