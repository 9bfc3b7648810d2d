# case: hl.device_print without its string prefix
# expect: UnsupportedConstructError 13:9
# message: string prefix
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        hl.device_print(x[tile])
        out[tile] = x[tile]
    return out
