"""hl.zeros / hl.full with a dtype= that names no dtype: a TranspileError at the call, not an
internal error (the syntax fuzzer's `torch.lambdafloat32`, 2026-12-05)."""

from __future__ import annotations

import pytest

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch

@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        acc = ALLOCATION
        out[tile] = x[tile] + acc
    return out
"""


@pytest.mark.parametrize(
    "allocation",
    [
        "hl.zeros([tile], dtype=torch.lambdafloat32)",
        "hl.full([tile], 1.5, dtype=torch.flaot32)",
        "hl.zeros([tile], dtype=torch.nn)",
    ],
)
def test_a_dtype_that_is_none_is_refused_at_the_call(allocation):
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile(SOURCE.replace("ALLOCATION", allocation))
    text = str(caught.value)
    assert "InternalTranspilerError" not in type(caught.value).__name__
    assert ":10:" in text.splitlines()[0] and "dtype=torch.float32" in text
