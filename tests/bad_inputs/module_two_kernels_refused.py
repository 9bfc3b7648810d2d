# case: two kernels of one module refused: both errors at once, at the first one's place
# expect: KernelErrors 13:35
# message: 2 of 3 kernels not transpiled (zeta_of, printed)
import torch
import helion
import helion.language as hl


@helion.kernel()
def zeta_of(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.special.zeta(x[tile], x[tile])
    return out


@helion.kernel()
def halved(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 0.5
    return out


@helion.kernel()
def printed(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].item()
    return out
