"""torch.compile of reference mode's function (the magic's --bench column): the reference's
globals are a module's of their own, so dynamo reads back what the reference adds to them."""

from __future__ import annotations

import pytest
import torch

from transpiler.reference.mode import reference_function

CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def scaled_add(x: torch.Tensor, y: torch.Tensor, alpha: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile] + alpha * y[tile]
    return out

@helion.kernel()
def row_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].sum(dim=1)
    return out
"""


@pytest.mark.parametrize("module_name", ["__main__", None], ids=["a notebook's", "none"])
def test_torch_compile_traces_the_reference(module_name):
    namespace = {"__name__": module_name} if module_name else None
    x, y = torch.randn(1031, dtype=torch.float64), torch.randn(1031, dtype=torch.float64)
    add = torch.compile(
        reference_function(CELL, "scaled_add", namespace=namespace), backend="eager"
    )
    torch.testing.assert_close(add(x, y, 0.37), x + 0.37 * y)
    rows = torch.randn(37, 129, dtype=torch.float64)
    sums = torch.compile(reference_function(CELL, "row_sums", namespace=namespace), backend="eager")
    torch.testing.assert_close(sums(rows), rows.sum(dim=1))
