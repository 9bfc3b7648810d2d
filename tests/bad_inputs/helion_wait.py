# case: hl.wait
# expect: UnsupportedConstructError 14:9
# message: not of this transpiler yet
# fixed (was xfail): LANGUAGE_NAMES lacks this Helion name: UnknownLanguageNameError says helion.language has no such name
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        hl.wait(x, [tile])
        out[tile] = x[tile]
    return out
