# case: a partial slice x[1:3]
# expect: UnsupportedConstructError 12:23
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[1:3]
    return out
