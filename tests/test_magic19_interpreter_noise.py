"""In Triton's CPU interpreter numpy warned of what a GPU computes silently (`log` of a masked
lane's 0.0, `exp` overflowing): `%load_ext magics` filters those warnings of the interpreter's
module; and a result that is inf where the reference is inf has no error (it was `nan`)."""

from __future__ import annotations

import warnings

import pytest
import torch
from helpers import DEVICE
from magic_shell import fresh_shell, put, run_magic

import magics
from magics import checking
from transpiler import runtime

LOG_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def log_exp(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = torch.log(x[tile]) + torch.exp(x[tile] * 200.0)
    return out
"""


def interpreter_warnings(quiet: bool) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if quiet:
            magics.quiet_interpreter_arithmetic()
        with fresh_shell(DEVICE) as shell:
            put(shell, x=torch.rand(1001) + 0.25)  # positive: only the masked lanes read 0.0
            shown = run_magic(shell, "--run 'log_exp(x)' --show none", LOG_CELL)
    assert "  PASS  float32 (1001,)" in shown.stdout, shown.stdout
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.skipif(not runtime.interpreting(), reason="Triton's CPU interpreter only")
def test_the_interpreters_arithmetic_warnings_are_not_shown() -> None:
    assert any("encountered in" in text for text in interpreter_warnings(quiet=False))
    assert interpreter_warnings(quiet=True) == []


def test_inf_against_inf_is_no_error() -> None:
    values = torch.tensor([1.5, float("inf"), -float("inf"), 2.25], device=DEVICE)
    compared = checking.compare_leaf("", values.clone(), values)
    assert compared.passed and "max abs err 0 " in compared.detail, compared.detail
    wrong = values.clone()
    wrong[1] = 3.0
    compared = checking.compare_leaf("", wrong, values)
    assert not compared.passed and "max abs err inf" in compared.detail
