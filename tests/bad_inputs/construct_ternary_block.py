# case: a conditional expression on a block
# expect: UnsupportedConstructError 13:21
# fixed (was xfail): InternalTranspilerError (AttributeError: 'tuple' object has no attribute 'dims')
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] if x[tile] > 0 else -x[tile]
    return out
