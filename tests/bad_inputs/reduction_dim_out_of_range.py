# case: dim=2 of a 2-D block
# expect: ShapeError 13:47
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :].sum(dim=2, keepdim=True)
    return out
