"""--check's bound per dtype (float8 by one mantissa step, integers and bools exact) and TF32's
for float32 products on a GPU, where Triton's tl.dot rounds its inputs to 10 mantissa bits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from IPython.core.interactiveshell import InteractiveShell
from magic_shell import fresh_shell, put, run_magic

from magics import checking

FLOATS = [
    torch.float64,
    torch.float32,
    torch.float16,
    torch.bfloat16,
    torch.float8_e4m3fn,
    torch.float8_e5m2,
]


def nudged(reference: torch.Tensor, relative: float) -> torch.Tensor:
    """The reference moved by `relative` of its magnitude (computed in float64)."""
    return (reference.double() * (1 + relative)).to(reference.dtype)


@pytest.mark.parametrize("dtype", FLOATS, ids=str)
def test_each_float_dtype_has_its_own_bound(dtype: torch.dtype) -> None:
    rtol, _ = checking.TOLERANCES[dtype]
    reference = (torch.rand(301, dtype=torch.float64) + 1.0).to(dtype)  # in [1, 2): no zeros
    assert checking.compare_leaf("", reference.clone(), reference).passed
    within = checking.compare_leaf("", nudged(reference, rtol / 4), reference)
    beyond = checking.compare_leaf("", nudged(reference, rtol * 8), reference)
    assert within.passed, within.detail
    assert not beyond.passed, beyond.detail
    assert f"rtol {rtol:.0e}" in within.detail


@pytest.mark.parametrize(
    "reference",
    [
        torch.arange(-50, 51, dtype=torch.int32) * 3 + 1,
        torch.arange(1, 77, dtype=torch.int64) ** 2,
        torch.rand(45) < 0.5,
    ],
    ids=["int32", "int64", "bool"],
)
def test_integers_and_bools_are_exact(reference: torch.Tensor) -> None:
    changed = reference.clone()
    changed[len(changed) // 2] = ~changed[len(changed) // 2] if changed.dtype == torch.bool else 0
    assert checking.compare_leaf("", reference.clone(), reference).passed
    failed = checking.compare_leaf("", changed, reference)
    assert not failed.passed and "(exact)" in failed.detail


def test_tf32_products_widen_only_float32() -> None:
    reference = torch.rand(257, dtype=torch.float64) + 0.5
    for dtype, off in ((torch.float32, 3e-3), (torch.float16, 3e-2)):
        expected = reference.to(dtype)
        actual = nudged(expected, off)
        plain = checking.compare(actual, expected)
        products = checking.compare(actual, expected, tf32=True)
        assert not plain[0].passed
        assert products[0].passed is (dtype == torch.float32), products[0].detail
        assert ("TF32 products" in products[0].detail) is (dtype == torch.float32)


MATMUL_CELL = """\
import torch
import helion
import helion.language as hl

@helion.kernel()
def matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
"""


@pytest.fixture
def shell(device: str) -> Iterator[InteractiveShell]:
    with fresh_shell(device) as ipython:
        yield ipython


def test_a_float32_matmul_passes_its_check(shell, device: str) -> None:
    """In the interpreter float32 products are exact (1e-4); on a GPU they are TF32's."""
    put(shell, a=torch.randn(67, 129) + 0.1, b=torch.randn(129, 45) - 0.1)
    shown = run_magic(shell, "--run 'matmul(a, b)' --show none", MATMUL_CELL)
    assert "  PASS  float32 (67, 45)" in shown.stdout, shown.stdout + shown.plain()
    assert ("TF32 products" in shown.stdout) is (device == "cuda")
