# case: a keyword argument given twice
# expect: TranspileSyntaxError 14:50
# fixed (was xfail): invalid Python that only compile() refuses passes through (Source.parse never compiles) (here it even reports a ShapeError)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :].sum(dim=1, dim=1)
    return out
