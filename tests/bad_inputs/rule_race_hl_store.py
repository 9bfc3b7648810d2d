# case: hl.store with an index that no program varies
# expect: StoreRaceError 13:9
import torch
import helion
import helion.language as hl



@helion.kernel()
def last(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([1], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.store(out, [0], x[tile].amax())
    return out
