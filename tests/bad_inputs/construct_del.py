# case: del in device code
# expect: UnsupportedConstructError 13:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        del v
        out[tile] = x[tile]
    return out
