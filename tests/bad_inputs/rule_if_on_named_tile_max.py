# case: an if on a name holding a grid tile maximum
# expect: BlockDependentError 15:12
import torch
import helion
import helion.language as hl



@helion.kernel()
def clip_big(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([x.size(0), x.size(1)]):
        peak = x[tile_m, tile_n].amax()
        limit = peak * 0.5
        if limit > 1.0:
            out[tile_m, tile_n] = x[tile_m, tile_n] / limit
        else:
            out[tile_m, tile_n] = x[tile_m, tile_n]
    return out
