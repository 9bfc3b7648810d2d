# case: a misspelt hl loop
# expect: UnknownLanguageNameError 11:17
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tiles(x.size(0)):
        out[tile] = x[tile]
    return out
