# case: tabs and spaces mixed in one block
# expect: TranspileSyntaxError 13:1
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
