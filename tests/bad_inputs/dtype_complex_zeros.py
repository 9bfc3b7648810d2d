# case: hl.zeros of complex dtype
# expect: UnsupportedDtypeError 13:15
# fixed (was xfail): hl.zeros of complex64 is accepted
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        acc = hl.zeros([tile], dtype=torch.complex64)
        out[tile] = acc
    return out
