# case: a float as an index
# expect: UnsupportedConstructError 13:23
# fixed (was xfail): a float index is accepted
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[1.5]
    return out
