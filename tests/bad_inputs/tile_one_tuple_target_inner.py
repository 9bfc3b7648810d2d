# case: a one-element tuple as an inner loop target
# expect: TileArgumentError 14:13
# fixed (was xfail): InternalTranspilerError (AttributeError: 'list' object has no attribute 'removeprefix')
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        for tile_n, in hl.tile(n):
            out[tile_m, tile_n] = x[tile_m, tile_n]
    return out
