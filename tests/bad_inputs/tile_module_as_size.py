# case: a module as a tile size
# expect: TileArgumentError 13:39
# fixed (was xfail): InternalTranspilerError (AttributeError) placed on the line before the loop
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, hl]):
        out[tile_m, tile_n] = x[tile_m, tile_n]
    return out
