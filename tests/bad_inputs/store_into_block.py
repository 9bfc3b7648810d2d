# case: a store into a loaded block
# expect: StoreTargetError 13:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        values = x[tile]
        values[tile] = 1.0
    return out
