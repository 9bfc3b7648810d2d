# case: *args in a device call
# expect: UnsupportedConstructError 13:35
# fixed (was xfail): reported as UnsupportedOpError 'torch.maximum() needs a tensor argument', not as *args
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.maximum(*[x[tile], x[tile]])
    return out
