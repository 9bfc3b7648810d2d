# case: unpacking a block like a tuple
# expect: UnsupportedConstructError 13:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        a, b = x[tile_m, tile_n]
        out[tile_m, tile_n] = a
    return out
