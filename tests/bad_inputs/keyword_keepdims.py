# case: numpy's keepdims= on a torch reduction (torch spells it keepdim=)
# expect: UnknownKeywordError 13:47
# message: has no parameter 'keepdims'
import torch
import helion
import helion.language as hl


@helion.kernel()
def row_sums(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 1], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m, :] = x[tile_m, :].sum(-1, keepdims=True)
    return out
