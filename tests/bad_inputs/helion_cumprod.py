# case: hl.subscript (was hl.cumprod, lowered since issue 21)
# expect: UnsupportedConstructError 15:26
# message: not of this transpiler yet
# fixed (was xfail): LANGUAGE_NAMES lacks this Helion name: UnknownLanguageNameError says helion.language has no such name
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.subscript(x[tile_m, :], [slice(None), None])
    return out
