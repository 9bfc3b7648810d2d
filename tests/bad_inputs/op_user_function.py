# case: calling a Python helper with a loop inside a device loop (assignments, then one `return`, inline): the error points at the loop in the helper
# expect: UnsupportedConstructError 4:5
def double(v):
    for _ in range(2):
        v = v + v
    return v


import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = double(x[tile])
    return out
