# case: every program stores its tile sum to out[0]
# expect: StoreRaceError 13:9
import torch
import helion
import helion.language as hl



@helion.kernel()
def total(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[0] = x[tile].sum()
    return out
