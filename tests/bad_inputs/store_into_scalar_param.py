# case: a store into a float parameter
# expect: StoreTargetError 13:9
# fixed (was xfail): a store into a float parameter is accepted
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor, scale: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        scale[tile] = x[tile]
    return out
