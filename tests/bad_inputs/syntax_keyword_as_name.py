# case: a keyword used as a variable
# expect: TranspileSyntaxError 12:16
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        lambda = x[tile]
    return out
