# case: a kernel with no device loop
# expect: NoDeviceLoopError 9:5
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    return x + 1
