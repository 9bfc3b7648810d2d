# case: `if labels is not None:` in a device loop, transpiled without the call's arguments
# expect: ArgumentUnknownError 14:12
# message: whether 'labels' is None is known only when the kernel is called
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        value = x[tile]
        if labels is not None:
            value = value * labels[tile]
        out[tile] = value
    return out
