# case: hl.reduce whose combine function takes the wrong number of arguments
# expect: CallableArgumentError 14:33
# message: the combine function takes 3 arguments; 2 expected
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = hl.reduce(lambda a, b, c: a + b, x[tile_m, :], dim=1)
    return out
