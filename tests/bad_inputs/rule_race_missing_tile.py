# case: a 2-D grid storing rows that depend on the column tile
# expect: StoreRaceError 15:9
import torch
import helion
import helion.language as hl



@helion.kernel()
def row_parts(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        part = x[tile_m, tile_n].sum(-1)
        out[tile_m] = part
    return out
