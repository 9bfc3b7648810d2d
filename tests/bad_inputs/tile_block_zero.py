# case: block_size=0
# expect: TileArgumentError 12:47
# fixed (was xfail): block_size=0 is accepted
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=0):
        out[tile] = x[tile]
    return out
