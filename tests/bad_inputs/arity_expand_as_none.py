# case: expand_as with no argument
# expect: UnsupportedOpError 14:31
# fixed (was xfail): InternalTranspilerError (IndexError)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n].expand_as()
    return out
