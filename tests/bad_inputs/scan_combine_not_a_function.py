# case: hl.associative_scan given a torch function that is no combine (torch.add is one)
# expect: CallableArgumentError 14:46
# message: the combine function must be a lambda or a function this module defines
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.associative_scan(torch.atan2, x[tile_m, :], dim=1)
    return out
