"""The magic line's mistakes refused before anything runs (one UsageError line), --config values
refused at the decorator's line, --export paths, cells with no kernel, and the hint for a name
only an earlier cell binds."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

SCALE_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def scale(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] * 1.75
    return out
"""


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:  # the GPU where there is one: launchers refuse CPU tensors
        put(ipython, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5)
        yield ipython


# (magic line, what the one UsageError line says): nothing runs, no kernel is defined
REFUSED = [
    ("--check", "--check / --no-check compare the result of --run EXPR: add --run EXPR"),
    ("--no-check", "add --run EXPR"),
    ("--bench", "--bench times --run EXPR: add --run EXPR"),
    ("--run 'add(x, y)' --sizes 1024", "--sizes are the sizes --bench sweeps: add --bench"),
    ("--device 'H200 SXM'", "--device names the GPU --roofline predicts for: add --roofline"),
    ("--run 'add(x, y)' --bench --sizes 'abc'", "--sizes: 'abc' is not a positive integer"),
    ("--run 'add(x, y)' --bench --sizes '1024,-4'", "'-4' is not a positive integer"),
    ("--run 'add(x, y)' --roofline --device nope", "--device: no datasheet entry 'nope' (H100"),
    ("--run 'z = add(x, y)'", "is not a Python expression"),
    ("--run 'import os'", "assignments and imports go in a cell of their own"),
    ("--run 'add(x, y'", "'(' was never closed"),
    ("--export {tmp}", "that is a folder; name the module's file in it, e.g. --export {tmp}/"),
    ("--export {tmp}/add", "a module's file name ends in .py (Python imports no other), e.g."),
    ("--export-minimal {tmp}/add.txt", "e.g. --export-minimal {tmp}/add.py"),
    ("--export {tmp}/a.py --export-minimal {tmp}/./a.py", "name the same file"),
    ("--run 'add(x, y)' --run 'add(y, x)'", "--run is given twice: give it once"),
    ("--run 'add(x, y)' --check --no-check", "--check and --no-check set one option: give it"),
    ("-a --run 'add(x, y)' --annotate", "-a and --annotate set one option: give it once"),
    ("--export /proc/version/k.py", "--export /proc/version/k.py: /proc/version is a file, not a"),
    ("--export {tmp}/x/../a.py --export-minimal ~/../{tmp}/a.py", "name the same file"),
]


@pytest.mark.parametrize(("line", "message"), REFUSED)
def test_refused_before_anything_runs(shell, tmp_path: Path, line: str, message: str) -> None:
    shown = run_magic(shell, line.format(tmp=tmp_path), ADD_CELL)
    assert shown.stderr.startswith("UsageError: "), shown.stdout + shown.stderr
    assert message.format(tmp=tmp_path) in shown.stderr
    assert shown.stderr.count("\n") == 1 and not shown.outputs and not shown.stdout
    assert "add" not in shell.user_ns  # the cell did not run
    assert list(tmp_path.iterdir()) == []


def test_help_wins_over_a_refused_combination(shell) -> None:
    shown = run_magic(shell, "--help --check", ADD_CELL)
    assert "--run EXPR" in shown.stdout and not shown.stderr


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('{"block_sizes": [-4]}', "block size -4 in block_sizes=[-4] is not a power of two"),
        ('{"block_sizes": ["a"]}', "block size 'a' in block_sizes=['a'] is a str, not an integer"),
        ('{"block_sizes": [48]}', "block size 48 in block_sizes=[48] is not a power of two"),
        ('{"block_sizes": [0]}', "block size 0 in block_sizes=[0] is not a power of two"),
    ],
)
def test_a_config_block_size_is_refused_at_the_decorator(shell, config, message) -> None:
    """Lowering reads the block sizes: they are checked before it (an internal error before)."""
    shown = run_magic(shell, f"--config '{config}' --run 'scale(x)'", SCALE_CELL)
    assert "ConfigError: " + message in shown.plain(), shown.plain()
    assert "cell line 5, column 1" in shown.plain()  # the decorator's line
    assert "InternalTranspilerError" not in shown.plain()
    assert "block_sizes=['a']:" not in shown.plain()  # a hint names integers, not the mistake


def test_export_says_it_replaces_a_file_and_writes_runnable_code(shell, tmp_path) -> None:
    target = tmp_path / "sub" / "scale.py"
    first = run_magic(shell, f"--run 'scale(x)' --show none --export {target}", SCALE_CELL)
    assert f"exported scale → {target} (standalone" in first.stdout
    assert "it replaces" not in first.stdout
    again = run_magic(shell, f"--run 'scale(x)' --show none --export {target}", SCALE_CELL)
    assert "it replaces the file that was there" in again.stdout
    # imported as a user imports it (on a GPU, Triton reads the module names of its helpers)
    spec = importlib.util.spec_from_file_location("exported_scale", target)
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    x = shell.user_ns["x"]
    torch.testing.assert_close(exported.scale(x).cpu(), (x.double() * 1.75).float().cpu())


def test_export_to_a_path_that_cannot_be_written_is_one_line(shell) -> None:
    shown = run_magic(shell, "--export /proc/helion_magic_test/scale.py --show none", SCALE_CELL)
    said = "export: nothing written to /proc/helion_magic_test/scale.py: No such file"
    assert said in shown.stdout, shown.stdout
    assert not shown.outputs and not shown.stderr


@pytest.mark.parametrize(
    ("cell", "named"),
    [
        ("import torch\nz = 3\n", ""),
        ("import torch\n\ndef add(x, y):\n    return x + y\n", " (it defines add)"),
    ],
)
def test_a_cell_with_no_kernel_says_so_and_checks_nothing(shell, tmp_path, cell, named) -> None:
    shown = run_magic(shell, f"--run 'x + 1' --export {tmp_path}/k.py", cell)
    assert f"note: the cell defines no @helion.kernel{named}, so there is no Triton" in shown.stdout
    assert "check x + 1: nothing to compare (the cell defines no kernel)" in shown.stdout
    assert "PASS" not in shown.stdout and "0 kernels" not in shown.plain()
    assert f"export: nothing written to {tmp_path}/k.py: the cell defines no kernel" in shown.stdout
    assert not shown.outputs and not (tmp_path / "k.py").exists()


@pytest.mark.parametrize(
    ("earlier", "read", "hint"),
    [
        ("bias = torch.randn(1001)", "x[tile] + bias[tile]", "bias is a tensor an earlier cell "
         "bound: pass it to the kernel as an argument"),
        ("def twice(t):\n    return t * 2", "twice(x[tile])", "twice is bound by an earlier "
         "cell; a device loop reads this cell's names"),
        ("OFFSET = torch.tensor(2.0).item", "x[tile] * OFFSET()", "OFFSET is bound by an "
         "earlier cell; a device loop reads this cell's names (and the earlier cells' numbers, "
         "strings and dtypes): define OFFSET in this cell, or pass it as an argument"),
    ],
)  # fmt: skip
def test_a_name_only_an_earlier_cell_binds_gets_a_hint_naming_the_fix(
    shell, earlier, read, hint
) -> None:
    shell.run_cell(earlier)
    cell = SCALE_CELL.replace("x[tile] * 1.75", read)
    shown = run_magic(shell, "--run 'scale(x)'", cell)
    assert "helion: cannot transpile (cell line 9, column" in shown.plain(), shown.plain()
    assert f"hint: {hint}" in shown.plain()


def test_a_kernel_without_its_decorator_is_named_at_its_loop(shell) -> None:
    shown = run_magic(shell, "--run 'add(x, y)'", ADD_CELL.replace("@helion.kernel()\n", ""))
    assert "hint: decorate the enclosing function with @helion.kernel()" in shown.plain()
    assert "cell line 7, column" in shown.plain()


@pytest.mark.parametrize(
    ("interrupt_on", "doing"),
    [
        ("first", "defining the cell"),  # the cell's own statement
        ("second", "running scale(x)"),  # the kernel's host code, called by --run
        ("after the run", "the reference run of scale(x)"),  # the check's eager run
    ],
)
def test_an_interrupt_is_one_line_naming_the_step(shell, interrupt_on, doing) -> None:
    """The stop button: still a KeyboardInterrupt (Run All stops), shown as one line, and the
    notebook's names left as they were (the kernel, not its reference)."""
    shell.run_cell(
        "calls = [0]\nstop_at = [0]\n"
        "def tick(t=None):\n"
        "    calls[0] += 1\n    if calls[0] == stop_at[0]:\n"
        "        raise KeyboardInterrupt\n    return t\n"
    )
    cell = "tick()\n" + SCALE_CELL.replace(
        "    out = torch.empty_like(x)\n", "    x = tick(x)\n    out = torch.empty_like(x)\n"
    )
    # the run's own calls of the host code (on a GPU the launcher's fitting check runs it
    # too): counted once without the check, the reference run's call comes after them
    run_magic(shell, "--run 'scale(x)' --show none --no-check", cell)
    run_calls = shell.user_ns["calls"][0]
    shell.user_ns["stop_at"][0] = {"first": 1, "second": 2, "after the run": run_calls + 1}[
        interrupt_on
    ]
    shell.user_ns["calls"][0] = 0
    with capture_output() as captured:
        done = shell.run_cell(f"%%helion --run 'scale(x)' --show none\n{cell}")
    assert isinstance(done.error_in_exec, KeyboardInterrupt)
    assert f"KeyboardInterrupt: %%helion interrupted while {doing}" in captured.stdout
    assert "cell_run.py" not in captured.stdout and "Traceback" not in captured.stdout
    if interrupt_on:
        assert type(shell.user_ns["scale"]).__name__ == "Kernel"


@pytest.mark.parametrize("line", ["%timeit scale(x)", "!nvidia-smi", "    %time y = x * 2"])
def test_ipython_syntax_in_the_cell_is_named(shell, line: str) -> None:
    cell = SCALE_CELL + line + "\n"
    shown = run_magic(shell, "", cell)
    assert "helion: cannot transpile (cell line 11, column" in shown.plain(), shown.plain()
    assert "hint: a %%helion cell is plain Python: IPython's %magics and !commands" in shown.plain()
