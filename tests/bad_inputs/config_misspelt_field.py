# case: Config(blok_sizes=[64]): a misspelt field
# expect: ConfigError 9:1
import torch
import helion
import helion.language as hl



@helion.kernel(config=helion.Config(blok_sizes=[64]))
def copy(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile]
    return out
