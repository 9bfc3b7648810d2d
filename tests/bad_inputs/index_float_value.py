# case: a float block used as an index
# expect: IndexDtypeError 13:23
import torch
import helion
import helion.language as hl



@helion.kernel()
def gather(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.empty([idx.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        out[tile] = x[idx[tile] * 0.5]
    return out
