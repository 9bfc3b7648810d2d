# case: torch.topk with a k that is no power of two (the block's lanes)
# expect: UnsupportedConstructError 14:51
# message: k is a power of two
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.topk(x[tile_m, :], 3, dim=1).values
    return out
