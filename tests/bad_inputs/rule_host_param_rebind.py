# case: a kernel parameter rebound to a device value
# expect: HostVariableModifiedError 13:9
import torch
import helion
import helion.language as hl



@helion.kernel()
def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        factor = x[tile].amax()
        out[tile] = x[tile] / factor
    return out
