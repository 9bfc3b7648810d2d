# case: hl.inline_asm_elementwise
# expect: UnsupportedConstructError 14:21
# message: not of this transpiler yet
# fixed (was xfail): LANGUAGE_NAMES lacks this Helion name: UnknownLanguageNameError says helion.language has no such name
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.inline_asm_elementwise("mov.b32 $0, $1;", "=r,r", [x[tile]], dtype=torch.float32, is_pure=True, pack=1)
    return out
