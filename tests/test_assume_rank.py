"""Kernels whose tile ranks come from their arguments, transpiled without a call: the CLI's
--assume-rank, and the rank checks of any module specialised on example arguments (issue 15)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import torch
from helpers import DEVICE, device_args

import transpiler
from transpiler.__main__ import main
from transpiler.compile.frontend.assumed import assumed_args
from transpiler.run.cache import load_module

ADD = """import torch
import helion
import helion.language as hl


@helion.kernel()
def add(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out
"""

# the rank of `rows` from the argument; a scalar parameter stays a scalar
SCALE_ROWS = """import torch
import helion
import helion.language as hl


@helion.kernel()
def scale_rows(rows: torch.Tensor, factor: float) -> torch.Tensor:
    out = torch.empty_like(rows)
    for tile in hl.tile(rows.size()):
        out[tile] = rows[tile] * factor
    return out
"""

# a select on a loaded tile, the output allocated with torch.empty
LEAKY = """import torch
import helion
import helion.language as hl


@helion.kernel()
def leaky(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size()):
        values = x[tile]
        out[tile] = torch.where(values > 0, values, 0.1 * values)
    return out
"""


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"assumed_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("source", "name", "rank", "make", "expected"),
    [
        (ADD, "add", 2, lambda: (torch.randn(7, 13),) * 2, lambda x, y: x + y),
        (ADD, "add", 3, lambda: (torch.randn(3, 5, 9), torch.randn(3, 5, 9)), lambda x, y: x + y),
        (SCALE_ROWS, "scale_rows", 2, lambda: (torch.randn(11, 6), 1.5), lambda r, f: r * f),
        (
            LEAKY,
            "leaky",
            4,
            lambda: (torch.randn(2, 3, 5, 7),),
            lambda x: torch.where(x > 0, x, 0.1 * x),
        ),
    ],
)
def test_the_cli_assumes_a_rank_and_the_module_refuses_others(
    tmp_path, source, name, rank, make, expected
):
    kernel_file = tmp_path / f"{name}.py"
    kernel_file.write_text(source)
    out = tmp_path / f"{name}_r{rank}.py"
    assert main([str(kernel_file), "--assume-rank", str(rank), "-o", str(out)]) == 0
    module = load(out)
    args = device_args(make())
    got = getattr(module, name)(*args)
    want = expected(*[a.double() if isinstance(a, torch.Tensor) else a for a in args])
    torch.testing.assert_close(got.double(), want, rtol=1e-5, atol=1e-5)
    wrong = torch.randn(*([4] * (rank + 1)), device=DEVICE)  # one dimension more: refused
    with pytest.raises(ValueError, match=f"must be {rank}-D"):
        getattr(module, name)(*[wrong if isinstance(a, torch.Tensor) else a for a in args])


def test_assumed_arguments_follow_the_annotations():
    examples = assumed_args(SCALE_ROWS, "k.py", 3)
    rows, factor = examples["scale_rows"]
    assert rows.shape == (2, 2, 2) and rows.device.type == "meta" and factor == 1.0


def test_a_module_from_example_arguments_checks_their_ranks():
    """transpile(example_args=...) makes code for those ranks: another rank is refused at the
    launcher (before: a 3-D tensor through 2-D code wrote only part of the output)."""
    code = transpiler.transpile(ADD, example_args=(torch.randn(4, 4), torch.randn(4, 4)))
    assert 'ranks={"x": 2, "y": 2}' in code


def test_the_rank_error_names_both_options_and_the_cli_refuses_both_at_once(tmp_path, capsys):
    kernel_file = tmp_path / "add.py"
    kernel_file.write_text(ADD)
    assert main([str(kernel_file)]) == 1
    assert "--assume-rank 2" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(kernel_file), "--assume-rank", "2", "--example", "torch.randn(4, 4)"])
    assert "not both" in capsys.readouterr().err


def test_a_parameter_rebound_in_host_code_is_checked_as_launched():
    """`x = x.view(n, 1)` (Helion's gather_gemv) and `flat = flat.view(-1)`: the launched
    tensor has another rank than the argument, so the argument's rank is not checked there."""
    source = ADD.replace(
        "    out = torch.empty_like(x)\n",
        "    x = x.view(x.size(0), 1)\n    y = y.view(y.size(0), 1)\n    out = torch.empty_like(x)\n",
    )
    code = transpiler.transpile(source, example_args=(torch.randn(9), torch.randn(9)))
    assert 'ranks={"x"' not in code
    x, y = torch.randn(9, device=DEVICE), torch.randn(9, device=DEVICE)
    got = load_module(code, stem="rebound").add(x, y)  # from a file: the GPU compiler reads it
    torch.testing.assert_close(got, (x + y).view(9, 1))
