# case: a for loop without its colon
# expect: TranspileSyntaxError 11:35
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0))
        out[tile] = x[tile]
    return out
