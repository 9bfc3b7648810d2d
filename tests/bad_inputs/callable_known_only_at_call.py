# case: a Callable parameter with no default, called in the device loop, transpiled unspecialised
# expect: CallableArgumentError 15:21
# message: known only when the kernel is called
from collections.abc import Callable

import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor, activation: Callable) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = activation(x[tile])
    return out
