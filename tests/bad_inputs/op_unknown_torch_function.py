# case: a misspelt torch function
# expect: UnsupportedOpError 13:27
# message: not supported
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.expp(x[tile])
    return out
