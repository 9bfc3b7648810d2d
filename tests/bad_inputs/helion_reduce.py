# case: hl.reduce (Helion has it)
# expect: UnsupportedConstructError 14:26
# message: not of this transpiler yet
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, 0] = hl.reduce(lambda a, b: a + b, x[tile_m, :], dim=1)
    return out
