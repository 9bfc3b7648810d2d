# case: a 2-D block stored into a 1-D index
# expect: ShapeError 13:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, 0] = x[tile_m, tile_n]
    return out
