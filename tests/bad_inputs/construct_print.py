# case: print inside a device loop
# expect: HostSyncError 13:9
# fixed (was xfail): print() is reported as an undefined name ('print' is not defined before this device loop)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        print(x[tile])
        out[tile] = x[tile]
    return out
