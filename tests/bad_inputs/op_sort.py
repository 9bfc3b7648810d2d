# case: torch.sort along a tile: a tile holds only part of the row torch sorts
# expect: UnsupportedConstructError 14:65
# message: along the tile tile_n
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.sort(x[tile_m, tile_n], dim=1).values
    return out
