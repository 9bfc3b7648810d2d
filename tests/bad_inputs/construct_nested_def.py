# case: a function defined inside a device loop
# expect: UnsupportedConstructError 12:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        def f(v):
            return v
        out[tile] = x[tile]
    return out
