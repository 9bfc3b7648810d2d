"""Our own Helion-style kernels with inner loops over several dimensions at once, nested in a
grid or another loop (the pattern of Helion's expert-routing matmul)."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def grouped_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """out[g] = a[g] @ b[g]: one program per group, a 2-D tile loop inside it over the output,
    with its own reduction loop over k."""
    groups, m, k = a.shape
    n = b.size(2)
    out = torch.empty([groups, m, n], dtype=a.dtype, device=a.device)
    for g in hl.grid(groups):
        for tile_m, tile_n in hl.tile([m, n]):
            acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(k):
                acc = acc + torch.matmul(a[g, tile_m, tile_k], b[g, tile_k, tile_n])
            out[g, tile_m, tile_n] = acc.to(out.dtype)
    return out


@helion.kernel()
def routed_rows(
    x: torch.Tensor, counts: torch.Tensor, row_ids: torch.Tensor, scale: torch.Tensor
) -> torch.Tensor:
    """Per group g, its first counts[g] rows of x (row_ids[g, :]) scaled by scale[g]; rows past
    the count keep what out held (masks built from the block's own sizes)."""
    groups, longest = row_ids.shape
    n = x.size(1)
    out = torch.zeros_like(x)
    for g in hl.grid(groups):
        count = counts[g]
        if count != 0:
            for tile_t, tile_n in hl.tile([longest, n]):
                rows = row_ids[g, tile_t].squeeze(0)  # a tile dimension: squeeze leaves it
                valid = tile_t.index < count
                values = x[rows, tile_n].masked_fill(~valid[:, None], 0.0) * scale[g]
                height = values.size(0)
                width = values.size(1)
                keep = valid.view(height, 1).expand(height, width)
                out[rows, tile_n] = torch.where(keep, values, out[rows, tile_n])
    return out


@helion.kernel()
def tiled_block_sums(x: torch.Tensor) -> torch.Tensor:
    """Per row tile, the sum of x[m, a, b] over a 2-D inner tile loop, plus x[m, 0, 0] * i * j
    over an inner 2-D hl.grid of scalar indices."""
    m, a, b = x.shape
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        total = hl.zeros([tile_m], dtype=torch.float32)
        for tile_a, tile_b in hl.tile([a, b]):
            total = total + x[tile_m, tile_a, tile_b].sum(dim=2).sum(dim=1)
        for i, j in hl.grid([2, 3]):
            total = total + (i * j) * x[tile_m, 0, 0]
        out[tile_m] = total
    return out
