"""Probes (round 18): a 0-d float64 value meeting a float32 accumulator a loop carries.

Found in round 18: `acc = acc + x[tile_m, tile_n].sum(-1) * y[tile_n].sum()` with float32 acc
and x, float64 y, entered the loop widened to float64 (`promoted(acc.dtype, x's, y's)`), where
torch keeps float32: a 0-d tensor widens no dimensioned one of its category. Now the sources a
value has only as 0-d ones (a whole reduction, `y[tile_n].sum()`) widen through
beside_zero_dim: float32 stays float32; an int32 x (whose sum is int64) meets the float64 0-d
value in float64, as torch (lower/dtype_sources.py, lower/carried.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel

LOOP = """    m, n = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.full([tile_m], 1.0, dtype=torch.float32)
        for tile_n in hl.tile(n):
            {update}
        out[tile_m] = (acc - 1.0) * 1e9
    return out
"""
CASES = {  # the update, x's dtype
    "the_user_s_sum": ("acc = acc + x[tile_m, tile_n].sum(-1) * y[tile_n].sum()", torch.float32),
    "a_named_zero_dim": ("s = y[tile_n].amax()\n            acc = acc + x[tile_m, tile_n].mean(-1) * s",
                         torch.float32),
    "int_rows_widen": ("acc = acc + x[tile_m, tile_n].sum(-1) * y[tile_n].sum()", torch.int32),
}  # fmt: skip


def _eager(update: str, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """torch's answer, each tile_n a whole row (one iteration): acc as torch types it."""
    scope = {"x": x, "y": y, "tile_m": slice(None), "tile_n": slice(None)}
    scope["acc"] = torch.full([x.shape[0]], 1.0, dtype=torch.float32)
    exec(update.replace("\n            ", "\n"), {}, scope)  # noqa: S102 - the test's own update
    return ((scope["acc"] - 1.0) * 1e9).float()


@pytest.mark.parametrize("case", CASES)
def test_a_zero_dim_float64_value_widens_a_float32_accumulator_as_torch(case):
    update, dtype = CASES[case]
    m, n = 5, 29
    x = (
        (torch.rand(m, n, dtype=torch.float64) + 0.5).to(dtype)
        if dtype.is_floating_point
        else (torch.randint(1, 9, (m, n), dtype=dtype))
    )
    y = torch.rand(n, dtype=torch.float64) * 1e-11 + 1e-12  # 1 + x * y: lost in float32
    source = kernel("x: torch.Tensor, y: torch.Tensor", LOOP.format(update=update))
    config = "@helion.kernel(config=helion.Config(block_sizes=[8, 32]))"
    source = source.replace("@helion.kernel()", config)
    got = generated(source, "k", x.to(DEVICE), y.to(DEVICE))(x.to(DEVICE), y.to(DEVICE))
    expected = _eager(update, x, y)
    if dtype.is_floating_point:
        assert torch.equal(expected, torch.zeros_like(expected))  # torch kept float32
    else:
        assert (expected > 0).all()  # torch widened to float64
    torch.testing.assert_close(got.cpu(), expected, rtol=1e-5, atol=1e-3)
