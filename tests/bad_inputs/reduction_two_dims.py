# case: dim=(0, 1)
# expect: UnsupportedConstructError 13:48
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, 0] = x[tile_m, :].sum(dim=(0, 1))
    return out
