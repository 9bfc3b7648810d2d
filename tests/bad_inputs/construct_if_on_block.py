# case: `if` on a block (data-dependent control flow)
# expect: UnsupportedConstructError 12:12
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        if x[tile] > 0:
            out[tile] = x[tile]
    return out
