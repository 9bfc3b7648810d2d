# case: a device loop in an undecorated function
# expect: TileOutsideKernelError 9:17
import torch
import helion
import helion.language as hl


def k(x):
    for tile in hl.tile(x.size(0)):
        pass
