# case: a dedent that matches no outer indentation level
# expect: TranspileSyntaxError 13:20
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = x[tile]
      out[tile] = a
    return out
