# case: a row sorted under reduction_loops (a sort needs the whole row at once)
# expect: ReductionLoopError 13:9
# message: reduction_loops
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(reduction_loops=[128]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m, :] = torch.sort(x[tile_m, :], dim=-1).values * 2
    return out
