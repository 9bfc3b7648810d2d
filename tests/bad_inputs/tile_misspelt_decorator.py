# case: @helion.kernal: the kernel is not a kernel
# expect: TileOutsideKernelError 11:17
import torch
import helion
import helion.language as hl


@helion.kernal()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile]
    return out
