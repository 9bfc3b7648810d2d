"""What the magic refuses in a cell before running it. A cell whose `helion` (or `hl`) only an
earlier cell imported, as users write notebooks (imports in the first cell): it said `the cell
defines no @helion.kernel` of a decorated kernel, then ran Helion's own kernel. A kernel name
defined twice (an edit's copy): the view showed `2 kernels (add, add)`, the second ran."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, fresh_shell, put, run_magic

WITHOUT_IMPORTS = ADD_CELL.split("\n\n", 1)[1]  # from the decorator on


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        ipython.run_cell("import helion\nimport helion.language as hl\n")  # an earlier cell
        put(ipython, x=torch.randn(1001) + 0.5, y=torch.randn(1001) - 0.5)
        yield ipython


def test_a_decorator_the_cell_does_not_import_is_refused(shell) -> None:
    shown = run_magic(shell, "--run 'add(x, y)'", "import torch\n" + WITHOUT_IMPORTS)
    assert shown.plain().splitlines()[:5] == [
        "helion: cannot transpile (cell line 2, column 2)",
        "HelionNotImportedError: the cell does not import helion, so add is not a kernel of the "
        "cell",
        "    @helion.kernel()",
        "     ^",
        "hint: add `import helion` (and `import helion.language as hl`) to this cell: the magic "
        "reads the cell's own imports, not an earlier cell's",
    ], shown.plain()
    assert "add" not in shell.user_ns and "add(x, y) →" not in shown.stdout  # nothing ran


def test_hl_from_an_earlier_cell_names_its_import(shell) -> None:
    shown = run_magic(shell, "--run 'add(x, y)'", "import torch\nimport helion\n" + WITHOUT_IMPORTS)
    assert "UndefinedNameError: name 'hl' is not defined" in shown.plain()
    assert (
        "hint: hl is a module an earlier cell imported; a device loop reads this cell's "
        "imports: add `import helion.language as hl` to this cell"
    ) in shown.plain()


@pytest.mark.parametrize(
    "imports",
    [
        "import torch\nimport helion\nimport helion.language as hl\n",
        "import torch\nimport helion as hn\nimport helion.language as hl\n",
        "import torch\nfrom helion import kernel\nimport helion.language as hl\n",
    ],
)
def test_the_cells_own_imports_are_accepted(shell, imports: str) -> None:
    cell = imports + WITHOUT_IMPORTS
    cell = cell.replace("@helion.", "@hn.") if "as hn" in imports else cell
    cell = cell.replace("@helion.kernel", "@kernel") if "import kernel" in imports else cell
    shown = run_magic(shell, "--run 'add(x, y)' --show none", cell)
    assert "  PASS  float32 (1001,)" in shown.stdout, shown.stdout + shown.plain()


def test_a_kernel_defined_twice_is_refused_at_the_second(shell) -> None:
    second = WITHOUT_IMPORTS.replace("x[tile] + y[tile]", "x[tile] - y[tile]")
    cell = ADD_CELL + "\n" + second
    shown = run_magic(shell, "--run 'add(x, y)'", cell)
    line = (
        1
        + ADD_CELL.count("\n")
        + 1
        + second.splitlines().index("def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:")
    )
    assert shown.plain().splitlines()[:5] == [
        f"helion: cannot transpile (cell line {line}, column 5)",
        f"RepeatedKernelError: kernel add is defined twice in the cell (lines 6 and {line}): the "
        "second replaces the first",
        "    def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:",
        "        ^",
        "hint: rename one of them, or delete the one you do not mean",
    ], shown.plain()
    assert "add" not in shell.user_ns
