# case: global in the kernel's host code, then the global updated in the loop
# expect: UnsupportedConstructError 13:5
import torch
import helion
import helion.language as hl


CALLS = 0


@helion.kernel()
def counted(x: torch.Tensor) -> torch.Tensor:
    global CALLS
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        CALLS += 1
        out[tile] = x[tile]
    return out
