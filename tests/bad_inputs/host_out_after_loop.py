# case: the output allocated after the loop
# expect: UndefinedNameError 11:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile]
    out = torch.empty_like(x)
    return out
