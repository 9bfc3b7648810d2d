# case: hl.zeros with no shape
# expect: UnsupportedConstructError 14:15
# message: shape
# fixed (was xfail): unhelpful: 'NoneType is not supported inside a device loop', at the statement rather than the call
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        acc = hl.zeros()
        out[tile] = x[tile]
    return out
