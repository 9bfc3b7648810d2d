# case: torch.erfinv: not in the op table (torch.erf is, since issue 21)
# expect: UnsupportedOpError 13:27
# message: not supported
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.erfinv(x[tile])
    return out
