# case: a name given different shapes in the two branches of an if
# expect: ShapeError 17:21
import torch
import helion
import helion.language as hl



@helion.kernel()
def pick(x: torch.Tensor, whole: float) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        if whole > 0:
            v = x[tile, :]
        else:
            v = x[tile, 0]
        out[tile] = v.sum(-1)
    return out
