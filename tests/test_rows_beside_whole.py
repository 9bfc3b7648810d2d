"""An inner tile loop over rows held whole (`x[mb, :]`): its default step is about 4096
elements, not 32 rows (Helion's rms_norm / layer_norm backward kernels at 8,192 columns
compiled for minutes in ptxas with 32 × 8192 tiles; issue 15)."""

from __future__ import annotations

import pytest
import torch
from helpers import on_device

import transpiler as helion
import transpiler.language as hl


@helion.kernel()
def weight_grad(grad_out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per-program partial sums of grad_out * x over rows, in an inner loop of rows."""
    m, n = x.size()
    block = hl.register_block_size(m)
    partial = torch.empty([(m + block - 1) // block, n], dtype=torch.float32, device=x.device)
    for rows in hl.tile(m, block_size=block):
        acc = hl.zeros([n], dtype=torch.float32)
        for mb in hl.tile(rows.begin, rows.end):
            acc += (grad_out[mb, :].float() * x[mb, :].float()).sum(0)
        partial[rows.id, :] = acc
    return partial.sum(0)


@helion.kernel()
def scaled_rows(x: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Rows normalised by their RMS, walked in an inner loop under a grid of row groups."""
    m, n = x.size()
    out = torch.empty_like(x)
    for rows in hl.tile(m, block_size=64):
        for mb in hl.tile(rows.begin, rows.end):
            row = x[mb, :].float()
            rms = torch.rsqrt((row * row).mean(-1, keepdim=True) + 1e-6)
            out[mb, :] = (row * rms * scale[None, :].float()).to(out.dtype)
    return out


@helion.kernel()
def column_max(x: torch.Tensor) -> torch.Tensor:
    """Column maxima over all rows, one program, the rows walked in an inner loop."""
    m, n = x.size()
    out = torch.empty([n], dtype=x.dtype, device=x.device)
    for _ in hl.grid(1):
        best = hl.full([n], float("-inf"), dtype=torch.float32)
        for mb in hl.tile(m):
            best = torch.maximum(best, x[mb, :].float().amax(0))
        out[:] = best.to(out.dtype)
    return out


CASES = {
    "weight_grad": (weight_grad, lambda m, n: (torch.randn(m, n), torch.randn(m, n)),
                    lambda g, x: (g * x).sum(0)),
    "scaled_rows": (scaled_rows, lambda m, n: (torch.randn(m, n), torch.rand(n) + 0.5),
                    lambda x, s: x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-6) * s),
    "column_max": (column_max, lambda m, n: (torch.randn(m, n),), lambda x: x.amax(0)),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_the_inner_step_beside_a_whole_row_is_about_4096_elements(name):
    kernel, make, _ = CASES[name]
    code = kernel.bind(make(37, 300)).triton_source
    steps = [line.strip() for line in code.splitlines() if line.strip().startswith("BLOCK_MB =")]
    assert steps and steps[0].startswith("BLOCK_MB = max(1, 4096 // BLOCK_"), steps


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("m", "n"), [(37, 300), (130, 77)])
def test_rows_beside_a_whole_row_match_float64(name, m, n):
    kernel, make, reference = CASES[name]
    args = make(m, n)
    got = on_device(kernel)(*args)
    want = reference(*[a.double() for a in args])
    torch.testing.assert_close(got.double(), want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["weight_grad", "scaled_rows"])
def test_an_8192_wide_row_compiles_for_sm_90_without_spills(name):
    kernel, make, _ = CASES[name]
    args = [a.to(torch.float16) if a.dim() == 2 else a for a in make(64, 8192)]
    for result in kernel.bind(args).compile_for("sm_90"):
        assert result.fits and result.spills == 0, (result.kernel, result.spills)
