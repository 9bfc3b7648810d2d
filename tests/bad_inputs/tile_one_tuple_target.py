# case: a one-element tuple as the loop target
# expect: TileArgumentError 12:9
# fixed (was xfail): a one-element tuple target is accepted (a Tile does not unpack; reference mode fails)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile, in hl.tile(x.size(0)):
        out[tile] = x[tile]
    return out
