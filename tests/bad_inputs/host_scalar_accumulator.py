# case: an accumulator started as a Python 0
# expect: ShapeError 14:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = 0
        for tile_n in hl.tile(n):
            acc += x[tile_m, tile_n].sum(dim=1)
        out[tile_m] = acc
    return out
