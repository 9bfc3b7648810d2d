# case: a torch.nn.functional op not in the op table
# expect: UnsupportedOpError 12:41
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.nn.functional.glu(x[tile])
    return out
