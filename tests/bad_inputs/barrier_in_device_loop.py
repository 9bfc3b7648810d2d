# case: hl.barrier() inside a device loop (it separates top-level loops only)
# expect: BarrierPlacementError 13:9
# message: inside a device loop
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        hl.barrier()
        out[tile] = x[tile] * 2
    return out
