# case: more indices than dimensions
# expect: IndexRankError 12:9
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    (n,) = x.size()
    for tile in hl.tile(n):
        x[tile, 0] = 1.0
