"""Hypothesis strategies for random valid Helion-style kernels and random inputs for them."""

from __future__ import annotations

from hypothesis import strategies as st

from .inputs import cases
from .kinds import accumulator_kernels, elementwise_kernels, grid_kernels, reduction_kernels
from .parts import Case, FuzzKernel

__all__ = ["Case", "FuzzKernel", "cases", "kernels"]


@st.composite
def kernels(draw) -> FuzzKernel:
    """Any generated kernel: element-wise, whole-dimension reduction, accumulator, or grid."""
    integer = draw(st.integers(0, 3)) == 0
    kind = draw(st.sampled_from(["elementwise", "reduction", "reduction", "accumulator", "grid"]))
    if kind == "elementwise":
        return draw(elementwise_kernels(draw(st.integers(1, 3)), integer))
    if kind == "grid":
        return draw(grid_kernels(integer))
    maker = reduction_kernels if kind == "reduction" else accumulator_kernels
    return draw(maker(draw(st.integers(2, 3)), integer))
