# case: calling a Python helper inside a device loop
# expect: UnsupportedConstructError 16:21
def double(v):
    return v * 2


import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = double(x[tile])
    return out
