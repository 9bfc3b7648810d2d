# case: hl.reduce without dim= (over every dimension at once)
# expect: UnsupportedConstructError 14:23
# message: hl.reduce over every dimension at once
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = hl.reduce(lambda a, b: a + b, x[tile_m, :])
    return out
