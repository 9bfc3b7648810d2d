# case: hl.tile(n / 2): a true division makes a float
# expect: TileArgumentError 13:25
import torch
import helion
import helion.language as hl



@helion.kernel()
def first_half(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n / 2):
        out[tile] = x[tile]
    return out
