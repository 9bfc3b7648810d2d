# case: a subscript as the loop target
# expect: TileArgumentError 11:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for out[0] in hl.tile(x.size(0)):
        pass
    return out
