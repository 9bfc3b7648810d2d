# case: three unsupported ops in one kernel, reported together at the first
# expect: UnsupportedOpsError 13:19
# message: 3 ops are not supported inside a device loop (lines 13, 14, 14)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = torch.erfinv(x[tile])
        out[tile] = torch.special.zeta(a, a) + a.lgammaa()
    return out
