# case: a partial slice from a tile's begin to the end: its length is known only at run time
# expect: UnsupportedConstructError 13:23
# message: a partial slice whose length is known only at run time
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile.begin:]
    return out
