# case: torch.exp with two arguments
# expect: UnsupportedOpError 13:40
# fixed (was xfail): torch.exp(a, b) is accepted (the second argument is dropped)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.exp(x[tile], x[tile])
    return out
