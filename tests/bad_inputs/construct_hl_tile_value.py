# case: hl.tile used as a value
# expect: UnsupportedConstructError 12:13
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        t = hl.tile(4)
    return out
