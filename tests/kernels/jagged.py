"""Our own Helion-style jagged kernels: a values tensor plus offsets, row i holding
values[offsets[i]:offsets[i + 1]] (written from the names of Helion's jagged examples)."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def jagged_sum(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Per row, the sum of its slice of `values` ([total, m] → [rows, m]); one program per row."""
    num_rows = offsets.size(0) - 1
    m = values.size(1)
    out = torch.empty([num_rows, m], dtype=values.dtype, device=values.device)
    for row in hl.grid(num_rows):
        start = offsets[row]
        end = offsets[row + 1]
        for tile_m in hl.tile(m):
            total = hl.zeros([tile_m], dtype=torch.float32)
            for tile_k in hl.tile(start, end):
                total = total + values[tile_k, tile_m].sum(dim=0)
            out[row, tile_m] = total.to(out.dtype)
    return out


@helion.kernel()
def jagged_mean(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Per row, the mean of its values (1-D values; 0 for an empty row); a tile of rows per
    program, each walking its rows up to the longest one with a mask."""
    num_rows = offsets.size(0) - 1
    out = torch.empty([num_rows], dtype=values.dtype, device=values.device)
    for tile_b in hl.tile(num_rows):
        starts = offsets[tile_b]
        lengths = offsets[tile_b.index + 1] - starts
        longest = lengths.amax()
        total = hl.zeros([tile_b], dtype=torch.float32)
        for tile_k in hl.tile(0, longest):
            inside = tile_k.index[None, :] < lengths[:, None]
            chunk = hl.load(values, [starts[:, None] + tile_k.index[None, :]], extra_mask=inside)
            total = total + chunk.sum(dim=1)
        mean = torch.where(lengths > 0, total / lengths.clamp(min=1), 0.0)
        out[tile_b] = mean.to(out.dtype)
    return out


@helion.kernel()
def jagged_softmax(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Softmax over each row's slice of `values` ([total, m]), per column; two passes, the
    first keeping a running maximum and sum (online softmax)."""
    num_rows = offsets.size(0) - 1
    m = values.size(1)
    out = torch.empty_like(values)
    for row in hl.grid(num_rows):
        start = offsets[row]
        end = offsets[row + 1]
        for tile_m in hl.tile(m):
            running_max = hl.full([tile_m], float("-inf"), dtype=torch.float32)
            running_sum = hl.zeros([tile_m], dtype=torch.float32)
            for tile_k in hl.tile(start, end):
                chunk = values[tile_k, tile_m].to(torch.float32)
                new_max = torch.maximum(running_max, torch.amax(chunk, dim=0))
                rescale = torch.exp(running_max - new_max)
                running_sum = running_sum * rescale + torch.exp(chunk - new_max[None, :]).sum(dim=0)
                running_max = new_max
            for tile_k in hl.tile(start, end):
                chunk = values[tile_k, tile_m].to(torch.float32)
                probabilities = torch.exp(chunk - running_max[None, :]) / running_sum[None, :]
                out[tile_k, tile_m] = probabilities.to(out.dtype)
    return out


@helion.kernel()
def jagged_dense_add(
    values: torch.Tensor, offsets: torch.Tensor, dense: torch.Tensor
) -> torch.Tensor:
    """dense [rows, max_len] plus the jagged rows padded with zeros to max_len (a row longer
    than max_len is cut)."""
    num_rows = dense.size(0)
    max_len = dense.size(1)
    out = torch.empty_like(dense)
    for tile_b, tile_k in hl.tile([num_rows, max_len]):
        starts = offsets[tile_b]
        lengths = offsets[tile_b.index + 1] - starts
        inside = tile_k.index[None, :] < lengths[:, None]
        jagged = hl.load(values, [starts[:, None] + tile_k.index[None, :]], extra_mask=inside)
        out[tile_b, tile_k] = dense[tile_b, tile_k] + jagged
    return out


@helion.kernel()
def jagged_row_sum(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Per row of the padded x [rows, max_len], the sum of its first lengths[row] values,
    with hl.jagged_tile: the loop stops at each row's own length."""
    num_rows = lengths.size(0)
    out = torch.empty([num_rows], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(num_rows):
        row_lengths = lengths[tile_b]
        total = hl.zeros([tile_b], dtype=torch.float32)
        for tile_k in hl.jagged_tile(row_lengths):
            total = total + x[tile_b, tile_k].sum(dim=1)
        out[tile_b] = total.to(out.dtype)
    return out


@helion.kernel()
def jagged_mean_packed(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """jagged_mean over packed values, with hl.jagged_tile and a gather of each row's slice."""
    num_rows = offsets.size(0) - 1
    out = torch.empty([num_rows], dtype=values.dtype, device=values.device)
    for tile_b in hl.tile(num_rows):
        starts = offsets[tile_b]
        lengths = offsets[tile_b.index + 1] - starts
        total = hl.zeros([tile_b], dtype=torch.float32)
        for tile_k in hl.jagged_tile(lengths):
            total = total + values[starts[:, None] + tile_k.index[None, :]].sum(dim=1)
        out[tile_b] = torch.where(lengths > 0, total / lengths.clamp(min=1), 0.0).to(out.dtype)
    return out


@helion.kernel()
def jagged_feature_mean(
    values: torch.Tensor, offsets: torch.Tensor, widths: torch.Tensor, max_width: int
) -> torch.Tensor:
    """Per row, the mean of its slice of values [total, max_width] over its first widths[row]
    features (0 elsewhere): two nested hl.jagged_tile loops and a 3-D gather."""
    num_rows = offsets.size(0) - 1
    out = torch.zeros([num_rows, max_width], dtype=values.dtype, device=values.device)
    flat = values.view(-1)
    for tile_b in hl.tile(num_rows):
        starts = offsets[tile_b]
        counts = offsets[tile_b.index + 1] - starts
        row_widths = widths[tile_b]
        for tile_f in hl.jagged_tile(row_widths):
            sums = hl.zeros([tile_b, tile_f], dtype=torch.float32)
            for tile_k in hl.jagged_tile(counts):
                rows = starts[:, None] + tile_k.index[None, :]
                index = rows[:, :, None] * max_width + tile_f.index[None, None, :]
                sums = sums + hl.load(flat, [index]).sum(dim=1)
            divisor = counts.to(torch.float32)[:, None]
            out[tile_b, tile_f] = torch.where(divisor > 0, sums / divisor, 0.0).to(out.dtype)
    return out


@helion.kernel()
def vtile_column_sums(values: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """jagged_sum with hl.vtile (Helion's later name for hl.jagged_tile): a tile of rows per
    program, a tile of columns inside, each row's slice walked to its own length."""
    width = values.shape[1]
    num_rows = offsets.size(0) - 1
    out = torch.zeros([num_rows, width], dtype=values.dtype, device=values.device)
    flat = values.view(-1)
    for tile_b in hl.tile(num_rows):
        starts = offsets[tile_b]
        counts = offsets[tile_b.index + 1] - starts
        for tile_m in hl.tile(width):
            sums = hl.zeros([tile_b, tile_m], dtype=torch.float32)
            for tile_k in hl.vtile(counts):
                rows = starts[:, None] + tile_k.index[None, :]
                index = rows[:, :, None] * width + tile_m.index[None, None, :]
                sums = sums + hl.load(flat, [index]).sum(dim=1)
            out[tile_b, tile_m] = sums.to(out.dtype)
    return out


@helion.kernel()
def vtile_row_matmul(
    offsets: torch.Tensor, rows: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Each jagged row group times its own matrix: rows [total, d] of group g (offsets) times
    weights[g] [d, k]; the argument rebound to its flat view, the output allocated flat."""
    total, d = rows.shape
    groups, d, k = weights.shape
    dtype = torch.promote_types(rows.dtype, weights.dtype)
    rows = rows.view(-1)
    out = torch.zeros((total, k), dtype=dtype, device=rows.device).view(-1)
    for tile_g in hl.tile(groups):
        starts = offsets[tile_g]
        counts = offsets[tile_g.index + 1] - starts
        for tile_r in hl.vtile(counts):
            picked = starts[:, None] + tile_r.index[None, :]
            for tile_k in hl.tile(k):
                acc = hl.zeros([tile_g, tile_r, tile_k], dtype=dtype)
                for tile_d in hl.tile(d):
                    block = hl.load(rows, [picked[:, :, None] * d + tile_d.index[None, None, :]])
                    acc = acc + torch.matmul(block, weights[tile_g, tile_d, tile_k])
                hl.store(out, [picked[:, :, None] * k + tile_k.index[None, None, :]], acc)
    return out.reshape(total, k)
