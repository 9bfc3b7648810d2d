"""torch's matrix products in reference mode: a float32 accumulator with half factors, as Helion
allows, and the `out_dtype` overloads (`torch.bmm(a, b, torch.float32)`), which torch runs on
CUDA only, computed on any device as a GPU computes them: in a wide dtype, then cast."""

from __future__ import annotations

import functools

import torch


def _wide(out_dtype: torch.dtype, *operands: torch.Tensor) -> torch.dtype:
    """The dtype a product with `out_dtype` is computed in: the operands' and out_dtype's, at
    least float32 where floating (the GPU's accumulator; float64 stays float64)."""
    dtype = functools.reduce(torch.promote_types, [o.dtype for o in operands], out_dtype)
    return torch.promote_types(dtype, torch.float32) if dtype.is_floating_point else dtype


def mm(
    input: torch.Tensor,  # noqa: A002
    mat2: torch.Tensor,
    out_dtype: torch.dtype | None = None,
    **options: object,
) -> torch.Tensor:
    """torch.mm, its out_dtype overload included."""
    if out_dtype is None:
        return torch.mm(input, mat2, **options)
    wide = _wide(out_dtype, input, mat2)
    return torch.mm(input.to(wide), mat2.to(wide)).to(out_dtype)


def bmm(
    input: torch.Tensor,  # noqa: A002
    mat2: torch.Tensor,
    out_dtype: torch.dtype | None = None,
    **options: object,
) -> torch.Tensor:
    """torch.bmm, its out_dtype overload included."""
    if out_dtype is None:
        return torch.bmm(input, mat2, **options)
    wide = _wide(out_dtype, input, mat2)
    return torch.bmm(input.to(wide), mat2.to(wide)).to(out_dtype)


def addmm(
    input: torch.Tensor,  # noqa: A002
    mat1: torch.Tensor,
    mat2: torch.Tensor,
    out_dtype: torch.dtype | None = None,
    **scales: float,
) -> torch.Tensor:
    """torch.addmm: a float32 accumulator with half factors, or out_dtype's overload."""
    if out_dtype is None:
        wide = torch.promote_types(input.dtype, mat1.dtype)
    else:
        wide = _wide(out_dtype, input, mat1, mat2)
    result = torch.addmm(input.to(wide), mat1.to(wide), mat2.to(wide), **scales)
    return result if out_dtype is None else result.to(out_dtype)


def baddbmm(
    input: torch.Tensor,  # noqa: A002
    batch1: torch.Tensor,
    batch2: torch.Tensor,
    out_dtype: torch.dtype | None = None,
    **scales: float,
) -> torch.Tensor:
    """torch.baddbmm, as addmm."""
    if out_dtype is None:
        wide = torch.promote_types(input.dtype, batch1.dtype)
    else:
        wide = _wide(out_dtype, input, batch1, batch2)
    result = torch.baddbmm(input.to(wide), batch1.to(wide), batch2.to(wide), **scales)
    return result if out_dtype is None else result.to(out_dtype)
