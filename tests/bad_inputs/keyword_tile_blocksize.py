# case: hl.tile(n, blocksize=32): a misspelt keyword
# expect: UnknownKeywordError 12:36
import torch
import helion
import helion.language as hl



@helion.kernel()
def copy(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), blocksize=32):
        out[tile] = x[tile]
    return out
