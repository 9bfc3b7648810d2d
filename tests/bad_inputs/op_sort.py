# case: torch.sort: Helion lowers it, the op table does not have it
# expect: UnsupportedOpError 14:32
# message: not supported
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.sort(x[tile_m, :], dim=1).values
    return out
