# case: dim given by a variable
# expect: UnsupportedConstructError 14:47
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        d = 1
        out[tile_m, 0] = x[tile_m, :].sum(dim=d)
    return out
