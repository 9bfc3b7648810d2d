# case: F.dropout inside a device loop
# expect: UnsupportedConstructError 13:21
# message: training=True
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.nn.functional.dropout(x[tile], 0.5)
    return out
