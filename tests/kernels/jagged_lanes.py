"""Our own hl.jagged_tile / hl.vtile kernels for reference mode's lane-at-a-time jagged loops:
maxima over each lane's own length, a 2-D parent, a parent sharing its loop with a plain
tile, stores through a jagged tile, and a parent whose block size the source fixes."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def jagged_row_max(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Per row of the padded x [rows, max_len], the maximum of its first lengths[row] values
    (-inf for an empty row): lanes past a row's length must not count."""
    num_rows = lengths.size(0)
    out = torch.empty([num_rows], dtype=torch.float32, device=x.device)
    for tile_b in hl.tile(num_rows):
        row_lengths = lengths[tile_b]
        best = hl.full([tile_b], float("-inf"), dtype=torch.float32)
        for tile_k in hl.jagged_tile(row_lengths):
            best = torch.maximum(best, x[tile_b, tile_k].to(torch.float32).amax(dim=1))
        out[tile_b] = best
    return out


@helion.kernel()
def jagged_head_sums(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """x [rows, heads, max_len], lengths [rows, heads]: per (row, head), the sum of its first
    lengths[row, head] values; the jagged loop's parent spans both tiles of one loop."""
    num_rows, heads = lengths.shape
    out = torch.empty([num_rows, heads], dtype=x.dtype, device=x.device)
    for tile_b, tile_h in hl.tile([num_rows, heads]):
        counts = lengths[tile_b, tile_h]
        total = hl.zeros([tile_b, tile_h], dtype=torch.float32)
        for tile_k in hl.jagged_tile(counts):
            total = total + x[tile_b, tile_h, tile_k].sum(dim=2)
        out[tile_b, tile_h] = total.to(out.dtype)
    return out


@helion.kernel()
def jagged_to_padded(values: torch.Tensor, offsets: torch.Tensor, max_len: int) -> torch.Tensor:
    """Packed rows (values [total, m], offsets) scaled by their length, written into a zeroed
    [rows, max_len, m]: the parent shares its loop with the column tile, the stores go
    through the jagged tile."""
    num_rows = offsets.size(0) - 1
    m = values.size(1)
    out = torch.zeros([num_rows, max_len, m], dtype=values.dtype, device=values.device)
    flat = values.view(-1)
    for tile_b, tile_m in hl.tile([num_rows, m]):
        first = offsets[tile_b]
        sizes = offsets[tile_b.index + 1] - first
        for tile_k in hl.jagged_tile(sizes):
            picked = (first[:, None] + tile_k.index[None, :])[:, :, None] * m
            chunk = hl.load(flat, [picked + tile_m.index[None, None, :]])
            scale = sizes.to(torch.float32)[:, None, None]
            out[tile_b, tile_k, tile_m] = (chunk * scale).to(out.dtype)
    return out


@helion.kernel()
def vtile_row_logsumexp(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Per packed row of the 1-D values, log(sum(exp(row))) in two hl.vtile passes: the
    maximum first, then the shifted sum (rows are never empty here)."""
    num_rows = offsets.size(0) - 1
    out = torch.empty([num_rows], dtype=torch.float32, device=values.device)
    for tile_r in hl.tile(num_rows):
        begins = offsets[tile_r]
        counts = offsets[tile_r.index + 1] - begins
        peak = hl.full([tile_r], float("-inf"), dtype=torch.float32)
        for tile_k in hl.vtile(counts):
            row = values[begins[:, None] + tile_k.index[None, :]].to(torch.float32)
            peak = torch.maximum(peak, torch.amax(row, dim=1))
        shifted = hl.zeros([tile_r], dtype=torch.float32)
        for tile_k in hl.vtile(counts):
            row = values[begins[:, None] + tile_k.index[None, :]].to(torch.float32)
            shifted = shifted + torch.exp(row - peak[:, None]).sum(dim=1)
        out[tile_r] = peak + torch.log(shifted)
    return out


@helion.kernel()
def jagged_sum_fixed_block(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """jagged_row_sum with the parent's block size fixed in the source: reference mode keeps
    it, so its jagged loop sees four lanes and refuses to run eagerly."""
    num_rows = lengths.size(0)
    out = torch.empty([num_rows], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(num_rows, block_size=4):
        total = hl.zeros([tile_b], dtype=torch.float32)
        for tile_k in hl.jagged_tile(lengths[tile_b]):
            total = total + x[tile_b, tile_k].sum(dim=1)
        out[tile_b] = total.to(out.dtype)
    return out


@helion.kernel()
def jagged_column_means(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """x [rows, max_len, m] padded, lengths [rows]: per row and column, the mean of the row's
    first lengths[row] values (0 for an empty row); the source's block sizes leave the
    parent's None, which reference mode makes 1."""
    num_rows, _, m = x.shape
    out = torch.empty([num_rows, m], dtype=torch.float32, device=x.device)
    for tile_b, tile_m in hl.tile([num_rows, m], block_size=[None, 4]):
        counts = lengths[tile_b]
        total = hl.zeros([tile_b, tile_m], dtype=torch.float32)
        for tile_k in hl.jagged_tile(counts):
            total = total + x[tile_b, tile_k, tile_m].to(torch.float32).sum(dim=1)
        divisor = counts.to(torch.float32)[:, None]
        out[tile_b, tile_m] = torch.where(divisor > 0, total / divisor.clamp(min=1.0), 0.0)
    return out


@helion.kernel()
def vtile_row_sum_block_none(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """jagged_row_sum with hl.vtile and an explicit `block_size=None` on its parent."""
    num_rows = lengths.size(0)
    out = torch.empty([num_rows], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(num_rows, block_size=None):
        total = hl.zeros([tile_b], dtype=torch.float32)
        for tile_k in hl.vtile(lengths[tile_b]):
            total = total + x[tile_b, tile_k].sum(dim=1)
        out[tile_b] = total.to(out.dtype)
    return out
