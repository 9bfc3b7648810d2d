# case: block_size=3: Triton blocks are powers of two
# expect: TileArgumentError 12:47
# fixed (was xfail): block_size=3 is accepted: Triton fails at launch (tl.arange needs a power of two)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=3):
        out[tile] = x[tile]
    return out
