# case: a list comprehension over a block
# expect: UnsupportedConstructError 12:21
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = [v for v in x[tile]]
    return out
