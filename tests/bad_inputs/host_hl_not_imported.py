# case: hl used but never imported
# expect: UndefinedNameError 11:17
# fixed (was xfail): reported as NoDeviceLoopError at the def: the loop is not recognised because `hl` is not imported
import torch
import helion


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile]
    return out
