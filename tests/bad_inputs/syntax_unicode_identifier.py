# case: a character Python refuses in a name
# expect: TranspileSyntaxError 13:10
# fixed (was xfail): libcst.CSTValidationError escapes: a character libcst takes in a name and Python refuses
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v𲋻 = x[tile]
        out[tile] = v
    return out
