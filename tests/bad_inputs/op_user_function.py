# case: calling a Python helper of several statements inside a device loop (one `return` inlines)
# expect: UnsupportedConstructError 17:21
def double(v):
    twice = v * 2
    return twice


import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = double(x[tile])
    return out
