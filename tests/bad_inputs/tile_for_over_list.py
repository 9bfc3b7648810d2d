# case: a for loop over a list in device code
# expect: UnsupportedConstructError 12:18
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        for v in [1, 2]:
            pass
    return out
