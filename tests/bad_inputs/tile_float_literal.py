# case: hl.tile(1e3): a float literal
# expect: TileArgumentError 12:25
import torch
import helion
import helion.language as hl



@helion.kernel()
def thousand(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(1e3):
        out[tile] = x[tile]
    return out
