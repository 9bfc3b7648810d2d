# case: hl.tile() with nothing to cover
# expect: TileArgumentError 10:17
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile():
        pass
