# case: hl.inline_triton with a snippet that is not Python
# expect: InlineTritonError 14:13
# message: does not parse
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.inline_triton(
            "{0} *",
            args=(x[tile],),
            output_like=x[tile],
        )
    return out
