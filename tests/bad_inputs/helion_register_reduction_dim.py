# case: hl.register_reduction_dim
# expect: UnsupportedConstructError 13:12
# message: register_reduction_dim
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    rdim = hl.register_reduction_dim(n)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :]
    return out
