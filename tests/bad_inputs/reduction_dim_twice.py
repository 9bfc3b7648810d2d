# case: dim=(1, 1): a dimension twice
# expect: ShapeError 13:51
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, 0] = x[tile_m, :].sum(dim=(1, 1))
    return out
