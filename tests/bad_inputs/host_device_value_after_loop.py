# case: a device value read in host code after the loop
# expect: UndefinedNameError 15:12
# fixed (was xfail): a device value returned from host code is accepted; the launcher fails with NameError
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        out[tile] = v
    return v
