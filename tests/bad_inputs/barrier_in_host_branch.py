# case: hl.barrier() inside host control flow, not a statement of the kernel body
# expect: BarrierPlacementError 15:9
# message: statement of its own
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
    if x.size(0) > 4:
        hl.barrier()
    for tile in hl.tile(x.size(0)):
        out[tile] = out[tile] + 1
    return out
