# case: torch.where with two arguments
# expect: UnsupportedOpError 13:21
# fixed (was xfail): InternalTranspilerError (IndexError)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.where(x[tile] > 0, x[tile])
    return out
