"""A cell's kernels read the notebook's names as Python would, now: a helper an earlier cell
redefined (with or without the kernel's cell run again), a deleted one; and the notebook's own
`max` or `tuple` never reaches the generated module's helpers (lent_names)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import fresh_shell, put, run_magic

import transpiler

# three kernels reading an earlier cell's helper on the host, each in its own way
HOST_HELPER_CELLS = {
    "prepared input": """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def shifted(x: torch.Tensor) -> torch.Tensor:
    x = prep(x)
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] + 1.5
    return out
""",
    "scale as a host scalar": """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def shifted(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    factor = prep(torch.ones(1, dtype=x.dtype, device=x.device)).item()
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] * factor + 1.5
    return out
""",
    "post-processed output, 2-D": """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def shifted(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(out.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n]
    return prep(out) + 1.5
""",
}
SHAPES = {
    "prepared input": (1001,),
    "scale as a host scalar": (777,),
    "post-processed output, 2-D": (19, 53),
}


@pytest.fixture
def shell(device: str) -> Iterator[InteractiveShell]:
    with fresh_shell(device) as ipython:  # tensors made in a test land on the test device
        yield ipython


def expected(x: torch.Tensor, factor: float) -> torch.Tensor:
    return (x.double() * factor + 1.5).float()


@pytest.mark.parametrize("case", list(HOST_HELPER_CELLS))
def test_a_redefined_helper_is_the_one_the_kernel_calls(shell, case) -> None:
    """The generated module was loaded once with the first helper; running the cell again (or
    not) after an earlier cell redefines it must call the new one, as the reference does."""
    x = torch.randn(*SHAPES[case]) + 0.1
    put(shell, x=x)
    first, second = torch.empty(1).uniform_(1.5, 2.5).item(), torch.empty(1).uniform_(3, 4).item()
    shell.run_cell(f"def prep(t):\n    return t * {first!r}")
    shown = run_magic(shell, "--run 'shifted(x)' --show none", HOST_HELPER_CELLS[case])
    assert "PASS" in shown.stdout, shown.stdout + shown.plain()
    torch.testing.assert_close(shell.user_ns["shifted"](x), expected(x, first))

    shell.run_cell(f"def prep(t):\n    return t * {second!r}")  # the kernel's cell not run
    torch.testing.assert_close(shell.user_ns["shifted"](x), expected(x, second))
    torch.testing.assert_close(shell.user_ns["shifted"].reference(x), expected(x, second))
    shown = run_magic(shell, "--run 'shifted(x)' --show none", HOST_HELPER_CELLS[case])
    assert "PASS" in shown.stdout and "FAIL" not in shown.stdout, shown.stdout
    torch.testing.assert_close(shell.user_ns["shifted"](x), expected(x, second))


def test_a_deleted_helper_is_a_name_error_as_in_python(shell) -> None:
    x = torch.randn(333)
    put(shell, x=x)
    shell.run_cell("def prep(t):\n    return t * 2.0")
    run_magic(shell, "--show none", HOST_HELPER_CELLS["prepared input"])
    shell.run_cell("del prep")
    with pytest.raises(NameError, match="prep"):
        shell.user_ns["shifted"](x)


@pytest.mark.parametrize(
    "earlier",
    [
        "max = 10",  # check_tensors takes the largest storage with Python's max
        "tuple = list\nisinstance = None",
        "max = min = sum = len = 'shadowed'",
    ],
)
def test_the_notebooks_builtin_names_do_not_reach_the_generated_helpers(shell, earlier) -> None:
    x, y = torch.randn(1001), torch.randn(1001)
    put(shell, x=x, y=y)
    shell.run_cell(earlier)
    cell = HOST_HELPER_CELLS["prepared input"].replace("    x = prep(x)\n", "")
    shown = run_magic(shell, "--run 'shifted(x)' --show none", cell)
    assert "PASS" in shown.stdout, shown.stdout + shown.plain()
    torch.testing.assert_close(shell.user_ns["shifted"](x), expected(x, 1.0))


def test_a_method_named_like_a_shadowed_builtin_is_no_read_of_it(shell) -> None:
    """`x.abs().max()` reads the attribute `max`, not the notebook's `max = 10`."""
    x = torch.randn(515) + 0.25
    put(shell, x=x)
    shell.run_cell("max = 10\nmin = 'no'")
    cell = HOST_HELPER_CELLS["prepared input"].replace(
        "x = prep(x)", "x = x / x.abs().max().clamp(min=1.0)"
    )
    shown = run_magic(shell, "--run 'shifted(x)' --show none", cell)
    assert "PASS" in shown.stdout, shown.stdout + shown.plain()
    scaled = x / x.abs().max().clamp(min=1.0)
    torch.testing.assert_close(shell.user_ns["shifted"](x), expected(scaled, 1.0))


def test_a_builtin_name_the_kernel_reads_is_the_namespaces(device: str) -> None:
    """The user's own code reading a name it rebinds sees its value, as Python would."""
    namespace: dict = {"round": lambda t: t * 4.0}
    source = HOST_HELPER_CELLS["prepared input"].replace("prep(x)", "round(x)")
    kernels = transpiler.kernels_from_source(source, filename="<round>", namespace=namespace)
    x = torch.randn(257, device=device)
    torch.testing.assert_close(kernels["shifted"](x), expected(x, 4.0))


# statements of a cell that only run, each bumping an earlier cell's counter once per run
RUNS_ONCE = [
    "bump()",
    "print('checked', bump())",
    "for _ in range(2):\n    bump()",
]


@pytest.mark.parametrize("statement", RUNS_ONCE)
def test_the_cells_statements_run_once_however_often_the_check_runs_it(shell, statement):
    """--run builds the reference (and its float64 run): the cell's calls, prints and loops
    are not run again by it (reference mode blanks them, keeping the line numbers)."""
    x = torch.randn(129) + 0.5
    put(shell, x=x)
    shell.run_cell("calls = []\ndef bump():\n    calls.append(1)\n    return len(calls)")
    cell = HOST_HELPER_CELLS["prepared input"].replace("    x = prep(x)\n", "") + statement + "\n"
    per_run = 2 if statement.startswith("for") else 1
    shown = run_magic(shell, "--run 'shifted(x)' --show none", cell)
    assert "PASS" in shown.stdout, shown.stdout + shown.plain()
    assert len(shell.user_ns["calls"]) == per_run
    torch.testing.assert_close(shell.user_ns["shifted"].reference(x), expected(x, 1.0))
    assert len(shell.user_ns["calls"]) == per_run
