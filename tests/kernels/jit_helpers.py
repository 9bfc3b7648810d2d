"""A kernel through `transpiler.kernel` calling a @triton.jit function of its own module."""

import torch
import triton
import triton.language as tl

import transpiler as helion
import transpiler.language as hl


@triton.jit
def multiply_add_one(a, b):
    # the user's own Triton: written once, called from the generated kernel
    return tl.fma(a, b, 1.0)


@helion.kernel()
def uses_jit_helper(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.triton_kernel(multiply_add_one, args=(x[tile], y[tile]), output_like=x[tile])
    return out
