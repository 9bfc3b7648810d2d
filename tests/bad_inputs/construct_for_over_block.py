# case: a Python for loop over a block
# expect: UnsupportedConstructError 12:18
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        for v in x[tile]:
            pass
    return out
