# case: math.exp on a tile: math takes Python numbers
# expect: UnsupportedOpError 13:21
import math
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = math.exp(x[tile])
    return out
