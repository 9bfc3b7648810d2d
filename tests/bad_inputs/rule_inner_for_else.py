# case: an inner range loop with an else block
# expect: DeviceLoopElseError 16:9
import torch
import helion
import helion.language as hl



@helion.kernel()
def sums(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(x.size(1)):
            acc += x[tile_m, tile_n].sum(-1)
        else:
            acc = acc * 2
        out[tile_m] = acc
    return out
