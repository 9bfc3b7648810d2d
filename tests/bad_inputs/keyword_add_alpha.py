# case: torch.add(a, b, alpha=2): a torch keyword this transpiler does not honour
# expect: UnsupportedConstructError 13:49
import torch
import helion
import helion.language as hl



@helion.kernel()
def axpy(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.add(x[tile], y[tile], alpha=2)
    return out
