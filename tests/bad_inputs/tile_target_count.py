# case: two loop names for one dimension
# expect: TileArgumentError 11:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size(0)):
        out[tile_m] = x[tile_m]
    return out
