# case: a cast to complex64
# expect: UnsupportedDtypeError 13:21
# fixed (was xfail): reported as '.to() takes a dtype' (UnsupportedConstructError): complex64 is a dtype, one the kernel cannot compute in
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].to(torch.complex64)
    return out
