"""%%helion's kernels are `transpiler.Kernel`s: a cell through the magic and the same source
through `@transpiler.kernel` give the same generated text, the same cached module and the same
tuned config (the GPU faked as in test_magics_tuning.py)."""

from __future__ import annotations

import linecache
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from helpers import DEVICE
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import ADD_CELL, ANY_RANK_CELL, SCALED_CELL, fresh_shell, put, run_magic

import transpiler
import transpiler.run.kernel_tuning
from transpiler.run.tile_configs import candidates

ROWS_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def row_sums(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.sum(x[tile_m, :] * weight[None, :], dim=1)
    return out
"""

# a constant and a helper the device loop calls: both in the module, from the cell or rebuilt
# around the function (code the kernel does not read passes through from a cell only)
HELPER_CELL = SCALED_CELL.replace("torch.exp(x[tile]) * SCALE", "twice(torch.exp(x[tile])) * SCALE")

# (cell, the call --run makes, its arguments: odd sizes, no zeros)
CASES = {
    "add": (ADD_CELL, "add(x, y)", lambda: (torch.randn(37) + 3, torch.randn(37) + 3)),
    "scaled_exp": (HELPER_CELL, "scaled_exp(x)", lambda: (torch.randn(45),)),
    "any_rank": (ANY_RANK_CELL, "add(x, y)", lambda: (torch.randn(7, 9), torch.randn(7, 9))),
    "row_sums": (ROWS_CELL, "row_sums(x, y)", lambda: (torch.randn(5, 33), torch.randn(33))),
}


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    with fresh_shell(DEVICE) as ipython:
        yield ipython


def decorated(cell: str, name: str) -> transpiler.Kernel:
    """The cell's source as an ordinary cell would run it (no magic): `@transpiler.kernel`
    (helion's imports spelled as the transpiler's), compiled under the magic's file name."""
    text = cell.replace("import helion.language as hl", "import transpiler.language as hl")
    text = text.replace("import helion\n", "import transpiler as helion\n")
    linecache.cache["<cell>"] = (len(text), None, text.splitlines(True), "<cell>")
    namespace: dict[str, Any] = {}
    exec(compile(text, "<cell>", "exec"), namespace)
    kernel = namespace[name]
    assert isinstance(kernel, transpiler.Kernel) and kernel.source != cell  # rebuilt around fn
    return kernel


def run_cell(shell: InteractiveShell, cell: str, expression: str, args: tuple) -> Any:
    names = ("x", "y")[: len(args)]
    put(shell, **dict(zip(names, args)))
    call = expression.replace("x, y", ", ".join(names)).replace("(x)", f"({names[0]})")
    shown = run_magic(shell, f"--run '{call}' --show none", cell)
    assert "  PASS" in shown.stdout and "FAIL" not in shown.stdout, shown.stdout + shown.stderr
    return shown


@pytest.mark.parametrize("case", CASES)
def test_the_magic_and_the_decorator_give_the_same_code_and_module(shell, case) -> None:
    cell, expression, make = CASES[case]
    args = make()
    run_cell(shell, cell, expression, args)
    name = expression.split("(")[0]
    magic = shell.user_ns[name]
    assert type(magic) is transpiler.Kernel and magic.source == cell  # the cell's own lines
    tuned = magic.tuning_for(args)  # on a GPU the magic searched: its candidates are bound too
    (ran,) = [b for b in magic.specialisations if tuned is None or b.config == tuned.config]
    other = decorated(cell, name)
    bound = other.bind(args, config=ran.config)
    assert ran.triton_source == bound.triton_source
    assert ran.module_path == bound.module_path  # one file; a module per namespace lending it
    assert ran.module is not bound.module
    torch.testing.assert_close(other(*args), magic(*args), rtol=0, atol=0)


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch, tmp_path) -> list[str]:
    """Tuning as on a GPU: each search (its kernel's name recorded) times made-up numbers; the
    last candidate wins, so a config from elsewhere cannot pass for it by chance."""
    monkeypatch.setattr(transpiler.run.kernel_tuning, "on_gpu", lambda args: True)
    monkeypatch.setattr(transpiler.run.kernel_tuning, "_SEARCHES", {})
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path))
    ran: list[str] = []

    def tune(kernel: transpiler.Kernel, args: tuple) -> tuple[dict | None, list]:
        transpiled = kernel.transpiled(args)
        space = candidates(transpiled.tunables[kernel.name], transpiled.phases.get(kernel.name))
        ran.append(kernel.name)
        timings = [(None, 3.0)] + [(c, 2.0 - i / len(space)) for i, c in enumerate(space)]
        return space[-1], timings

    monkeypatch.setattr(transpiler.run.kernel_tuning, "tune", tune)
    return ran


@pytest.mark.parametrize("case", ["add", "row_sums"])
def test_the_magic_and_the_decorator_tune_to_the_same_config(shell, searches, monkeypatch, case):
    cell, expression, make = CASES[case]
    args = make()
    shown = run_cell(shell, cell, expression, args)
    name = expression.split("(")[0]
    assert searches == [name] and f"autotune {name}: " in shown.stdout
    tuned = shell.user_ns[name].tuning_for(args)
    assert tuned is not None and tuned.origin == "search" and tuned.config
    # this session: the decorator's kernel finds the magic's search (the same generated code)
    other = decorated(cell, name)
    other(*args)
    assert other.tuning_for(args).config == tuned.config and searches == [name]
    assert other.tuning_for(args).origin == "session" and other.last_tuning == tuned.timings
    # a new session: both read it from the autotune file
    monkeypatch.setattr(transpiler.run.kernel_tuning, "_SEARCHES", {})
    again = decorated(cell, name)
    again(*args)
    assert again.tuning_for(args) == transpiler.Tuning(tuned.config, [], "cache")
    assert searches == [name]


@pytest.mark.gpu
def test_a_real_search_in_a_cell_serves_the_decorator(monkeypatch, tmp_path) -> None:
    """On a GPU: the cell's kernel searches (transpiler.Kernel's own tuning: precompiled, fitted
    to the device, timed); the same source under the decorator runs the same module with the
    same config and searches nothing."""
    monkeypatch.setattr(transpiler.run.kernel_tuning, "_SEARCHES", {})
    monkeypatch.setenv("TRANSPILER_CACHE_DIR", str(tmp_path))
    with fresh_shell("cuda") as shell:
        x, y = torch.randn(1 << 22) + 3, torch.randn(1 << 22) + 3
        shown = run_cell(shell, ADD_CELL, "add(x, y)", (x, y))
        assert any(line.startswith("autotune add: ") for line in shown.stdout.splitlines())
        tuned = shell.user_ns["add"].tuning_for((x, y))
        ran = [b for b in shell.user_ns["add"].specialisations if b.config == tuned.config]
    assert tuned.origin == "search" and len(tuned.timings) >= 2 and ran
    other = decorated(ADD_CELL, "add")
    torch.testing.assert_close(other(x, y), x + y)
    assert other.tuning_for((x, y)) == transpiler.Tuning(tuned.config, tuned.timings, "session")
    (bound,) = [b for b in other.specialisations if b.config == tuned.config]
    # the same generated file; its own module object, as the decorator's globals are not the
    # cell's namespace (cache.load_module: each namespace lends its module its own names)
    assert bound.module.__file__ == ran[-1].module.__file__
