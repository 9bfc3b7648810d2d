# case: `return` dedented out of the kernel
# expect: TranspileSyntaxError 14:1
# fixed (was xfail): invalid Python that only compile() refuses passes through (Source.parse never compiles)
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile]
return out
