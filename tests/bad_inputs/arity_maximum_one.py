# case: torch.maximum with one argument
# expect: UnsupportedOpError 13:21
# fixed (was xfail): torch.maximum(a) is accepted
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.maximum(x[tile])
    return out
