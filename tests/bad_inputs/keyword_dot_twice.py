# case: hl.dot with acc by position and by keyword
# expect: UnknownKeywordError 17:69
import torch
import helion
import helion.language as hl



@helion.kernel()
def mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc, acc=acc)
        out[tile_m, tile_n] = acc
    return out
