# case: .item() inside a device loop
# expect: HostSyncError 13:27
# message: .item()
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        s = x[tile].sum().item()
        out[tile] = x[tile] * s
    return out
