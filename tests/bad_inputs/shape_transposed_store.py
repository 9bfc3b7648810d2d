# case: a block stored into the transposed tiles of the output
# expect: ShapeError 14:9
# message: the value's tiles are (tile_m, tile_n), the target's (tile_n, tile_m): a transposed store
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_n, tile_m] = torch.sigmoid(x[tile_m, tile_n])
    return out
