"""A matmul taking an epilogue, through `transpiler.kernel` (specialised on the callable)."""

from collections.abc import Callable

import torch

import transpiler as helion
import transpiler.language as hl

# What Helion's matmul takes as `epilogue`: (accumulator, (tile_m, tile_n)) -> tile of out.
Epilogue = Callable[[torch.Tensor, tuple[torch.Tensor, ...]], torch.Tensor]


def leaky(v, slope):
    """A module helper: one return, inlined where the device loop calls it."""
    return torch.where(v > 0, v, v * slope)


@helion.kernel()
def matmul(
    x: torch.Tensor,
    y: torch.Tensor,
    epilogue: Epilogue = lambda acc, tile: acc,
) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.promote_types(x.dtype, y.dtype), device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = epilogue(acc, (tile_m, tile_n))
    return out


@helion.kernel()
def leaky_rows(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = leaky(x[tile, :], 0.125)
    return out
