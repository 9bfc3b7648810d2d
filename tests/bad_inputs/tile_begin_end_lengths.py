# case: begin and end lists of different lengths
# expect: TileArgumentError 12:27
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([0, 0], [m]):
        out[tile_m, tile_n] = x[tile_m, tile_n]
    return out
