# case: an if on the sum of a grid tile (decided per block on the GPU)
# expect: BlockDependentError 14:12
import torch
import helion
import helion.language as hl



@helion.kernel()
def sign_flip(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        if v.sum() > 0:
            out[tile] = v
        else:
            out[tile] = -v
    return out
