# case: floats added into an integer accumulator (torch refuses it in place)
# expect: DtypeMismatchError 16:13
import torch
import helion
import helion.language as hl



@helion.kernel()
def counts(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.int32, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.int32)
        for tile_n in hl.tile(n):
            acc += (x[tile_m, tile_n] > 0).float().sum(-1)
        out[tile_m] = acc
    return out
