# case: Config(block_sizes=[100])
# expect: ConfigError 9:1
import torch
import helion
import helion.language as hl



@helion.kernel(config=helion.Config(block_sizes=[100, 32]))
def copy(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([x.size(0), x.size(1)]):
        out[tile_m, tile_n] = x[tile_m, tile_n]
    return out
