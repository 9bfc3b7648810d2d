# case: hl.associative_scan in reverse along a tile (its lanes past the end would come first)
# expect: UnsupportedConstructError 14:83
# message: a reverse scan along a tile
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.associative_scan(lambda a, b: a + b, x[tile_m, :], 0, True)
    return out
