"""Every argument honoured or refused, checked by generated kernels (tests/arguments/cases.py).

For each parameter of the op and hl tables: a kernel passing a value other than its default runs
as generated Triton (on float32 inputs, compiled for sm_90 too unless TRANSPILER_COMPILE_CHECK=0)
and in reference mode (on their float64 copies), each matching float64; a bad value, a misspelt
keyword and each parameter torch has that lowering refuses raise a TranspileError at the
argument's own line and column, never an internal error.
"""

from __future__ import annotations

import pytest
from arguments.cases import bad_cases, value_cases
from arguments.run import Inputs, refusal, run_three_ways

from transpiler.compile.frontend.errors import TranspileError


@pytest.mark.parametrize("case", value_cases(), ids=lambda c: c.id)
def test_a_value_other_than_the_default_computes_what_torch_does(case) -> None:
    run_three_ways(case.source, "k", case.inputs, seed=len(case.id), tolerance=case.tolerance)


@pytest.mark.parametrize("case", bad_cases(), ids=lambda c: c.id)
def test_a_bad_argument_is_refused_at_its_column(case) -> None:
    error = refusal(case.source, "k", case.inputs)
    assert isinstance(error, TranspileError), f"{case.id}: transpiled without an error"
    where = (error.lineno, error.col_offset)
    assert where == (case.line, case.column), (
        f"{case.id}: the error is at {where}, the argument at {(case.line, case.column)}\n{error}"
    )
    assert error.hint, f"{case.id}: no hint\n{error}"


LOOP_KERNEL = """import torch
import helion
import helion.language as hl

@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros_like(x)
    for tile_m in LOOP:
        out[tile_m, :] = x[tile_m, :] * 2
    return out
"""
# (the loop's iterable, the text the error points at): the loop's own arguments
LOOP_REFUSALS = (
    ("hl.tile(m, block_size=True)", "True"),
    ('hl.tile(m, block_size="16")', '"16"'),
    ("hl.tile(0, m, 12)", "12"),
    ("hl.tile(begin_or_end=m)", "begin_or_end"),
    ("hl.tile(m, blocksize=16)", "blocksize"),
    ("hl.grid(m, stride=2)", "stride"),
    ("hl.grid(m, block_size=16)", "16"),
)


@pytest.mark.parametrize(("loop", "marker"), LOOP_REFUSALS, ids=[c[0] for c in LOOP_REFUSALS])
def test_a_bad_loop_argument_is_refused_at_its_column(loop: str, marker: str) -> None:
    source = LOOP_KERNEL.replace("LOOP", loop)
    error = refusal(source, "k", Inputs(((11, 6),)))
    line = source.splitlines()[8]
    assert error is not None, f"{loop}: transpiled without an error"
    assert (error.lineno, error.col_offset) == (9, line.index(marker, line.index("hl."))), str(
        error
    )
