"""An outside evaluator's probes that are refused at the user's line with the fix named:
a rounding_mode torch.div does not know, orderings along a tile (a tile holds part of the row),
torch.norm (a reverse scan along a row, refused here once, computes as torch since round 13:
tests/test_probes13_scans.py); and a write into an expanded (stride-0) input, refused at the launch as torch
refuses it."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

import transpiler

HEADER = """
import torch
import transpiler as helion
import transpiler.language as hl
"""
KERNEL = """
@helion.kernel(config=helion.Config(block_sizes=[16]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = EXPRESSION
    return out
"""

# (name, kernel, expression, the column of the caret, words of the message, words of the hint)
REFUSED = [
    ("div_rounding_mode_unknown", KERNEL, 'torch.div(x[t], 3, rounding_mode="round")', 37,
     'rounding_mode="round"', "'trunc' (towards zero)"),
    ("flip_along_a_tile", KERNEL, "torch.flip(x[t], [0])", 35,
     "a tile holds only part of the row", "x[tile_m, :]"),
    ("sort_along_a_tile", KERNEL, "torch.sort(x[t], 0).values", 35,
     "torch.sort along the tile t", "load the whole row"),
    # torch.norm of p 2, 'fro', 1, inf is vector_norm's lowering since round 14
    ("norm_of_p_3", KERNEL, "x[t] / torch.norm(x[t], p=3)", 44,
     "p=3: the norms lowered are of order 2", "torch.sum(torch.abs(x) ** p, dim) ** (1 / p)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kernel", "expression", "column", "message", "hint"),
    [pytest.param(*row[1:], id=row[0]) for row in REFUSED],
)
def test_refused_at_the_line_with_the_fix(kernel, expression, column, message, hint):
    source = HEADER + kernel.replace("EXPRESSION", expression)
    x = torch.randn(37)
    line = source.splitlines().index(f"        out[t] = {expression}")
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(source, "k", x)
    text = str(caught.value)
    assert f"kernels.py:{line + 1}:{column}:" in text, text
    assert message in text and "hint:" in text and hint in text, text


def test_a_write_into_an_expanded_input_is_refused_at_the_launch():
    source = (
        HEADER
        + """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    for tm, tn in hl.tile(x.size()):
        x[tm, tn] = x[tm, tn] + 1
    return x
"""
    )
    x = torch.randn(13, 1).expand(13, 29)
    with pytest.raises(RuntimeError, match="x has overlapping elements"):
        generated(source, "k", x)(x)
