# case: x.sum(dims=1): a misspelt keyword
# expect: UnknownKeywordError 13:40
import torch
import helion
import helion.language as hl



@helion.kernel()
def row_sums(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m] = x[tile_m, :].sum(dims=1)
    return out
