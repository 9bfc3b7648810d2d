# case: a while loop in device code whose condition is known while transpiling (forever)
# expect: UnsupportedConstructError 12:15
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        while True:
            pass
    return out
