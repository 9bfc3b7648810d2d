# case: a string as a tile size
# expect: TileArgumentError 12:25
# fixed (was xfail): a string size is accepted
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile("n"):
        out[tile] = x[tile]
    return out
