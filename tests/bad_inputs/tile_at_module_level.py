# case: a device loop at module level
# expect: TileOutsideKernelError 8:13
import torch
import helion
import helion.language as hl


for tile in hl.tile(8):
    pass
