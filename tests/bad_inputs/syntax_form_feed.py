# case: a form feed line (PEP 8 allows them between sections) before a wrong op
# expect: UnsupportedOpError 13:27
# fixed (was xfail): Source.lines uses str.splitlines(), which also breaks at form feeds: the excerpt shows the line before
import torch
import helion
import helion.language as hl


@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.expp(x[tile])
    return out
