# case: an assignment expression
# expect: UnsupportedConstructError 12:22
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = (v := x[tile]) + v
    return out
