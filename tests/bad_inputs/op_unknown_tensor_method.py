# case: a misspelt tensor method
# expect: UnsupportedOpError 12:29
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].sigmoidd()
    return out
