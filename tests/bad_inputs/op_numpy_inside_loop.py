# case: numpy inside a device loop
# expect: UnsupportedOpError 13:21
import numpy as np
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = np.exp(x[tile])
    return out
