# case: a device loop with an else block (Helion's DeviceLoopElseBlock)
# expect: DeviceLoopElseError 14:5
import torch
import helion
import helion.language as hl



@helion.kernel()
def copy_rows(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m, :] = x[tile_m, :]
    else:
        out.zero_()
    return out
