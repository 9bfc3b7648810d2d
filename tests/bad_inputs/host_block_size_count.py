# case: two block sizes for one dimension
# expect: TileArgumentError 12:47
# fixed (was xfail): two block sizes for a 1-D tile are accepted
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=[16, 16]):
        out[tile] = x[tile]
    return out
