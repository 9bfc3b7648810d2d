# case: hl.tile(x.size()) without example arguments
# expect: RankUnknownError 12:25
# message: known only when the kernel is called
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile]
    return out
