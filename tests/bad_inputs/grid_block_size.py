# case: hl.grid with a block_size
# expect: TileArgumentError 12:44
# fixed (was xfail): hl.grid has no block_size (Helion: TypeError); it is silently ignored
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for i in hl.grid(x.size(0), block_size=4):
        out[i] = x[i]
    return out
