# case: a host tensor rebound in the loop where out[tile] = was meant
# expect: HostVariableModifiedError 13:9
import torch
import helion
import helion.language as hl



@helion.kernel()
def double(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out = x[tile] * 2
    return out
