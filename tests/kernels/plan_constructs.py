"""Kernels whose shapes meet through constructs the shape analysis once left unknown (stack,
cat, gathers, jagged tiles, views, unit tiles): each must lower in one run (tests/test_plan.py)."""

import helion
import helion.language as hl
import torch


@helion.kernel()
def stack_swapped(x: torch.Tensor) -> torch.Tensor:
    """[n, 2] → [n, 2], the two columns swapped: torch.stack meets x.size(1)."""
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile, :] = torch.stack([x[tile, 1], x[tile, 0] * 2.0], dim=1)
    return out


@helion.kernel()
def stack_rows(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[2, n] and [n] → [2, n]: a stack along a new first dimension against x.size(0)."""
    n = x.size(1)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[:, tile] = torch.stack([x[0, tile] + y[tile], x[1, tile] - y[tile]]) * 0.5
    return out


@helion.kernel()
def stack_whole_rows(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """[m, n] and [m, k] (k == n) → [m, 2, n]: two whole rows stacked, their sizes met."""
    m = x.size(0)
    out = torch.empty([m, 2, x.size(1)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        out[tile, :, :] = torch.stack([x[tile, :], y[tile, :].exp()], dim=1)
    return out


@helion.kernel()
def cat_columns_into(a: torch.Tensor, b: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """[n] and [n] → like [n, 2]: torch.cat of two columns along dim 1 meets like.size(1)."""
    n = a.size(0)
    out = torch.empty_like(like)
    for tile in hl.tile(n):
        out[tile, :] = torch.cat([a[tile][:, None], (b[tile] * 3.0)[:, None]], dim=1)
    return out


@helion.kernel()
def cat_rows_into(a: torch.Tensor, b: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """[n] and [n] → like [2, n]: torch.cat along dim 0 of two [1, tile] rows."""
    n = a.size(0)
    out = torch.empty_like(like)
    for tile in hl.tile(n):
        out[:, tile] = torch.cat([a[tile][None, :], b[tile].abs()[None, :]], dim=0) + like[:, tile]
    return out


@helion.kernel()
def cat_pairs_last(x: torch.Tensor, y: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """[n] ×4 → like [n, 4]: cat along dim -1 of two hl.join pairs."""
    n = x.size(0)
    out = torch.empty_like(like)
    for tile in hl.tile(n):
        first = hl.join(x[tile], y[tile])
        second = hl.join(x[tile] * y[tile], x[tile] - y[tile])
        out[tile, :] = torch.cat([first, second], dim=-1)
    return out


@helion.kernel()
def gather_rows(x: torch.Tensor, index: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """[v, d] rows picked by index [n] → [n, d], plus bias [e] (e == d at run time)."""
    n = index.size(0)
    out = torch.empty([n, bias.size(0)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n):
        out[tile, :] = x[index[tile], :] + bias[None, :]
    return out


@helion.kernel()
def gather_columns(x: torch.Tensor, index: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """x [m, v] at index [m, k] along dim 1 (torch.gather of a whole row) times scale [k]."""
    m = x.size(0)
    out = torch.empty_like(index, dtype=x.dtype)
    for tile in hl.tile(m):
        row = x[tile, :]
        picked = torch.gather(row, 1, index[tile, :])
        out[tile, :] = picked * scale[None, :]
    return out


@helion.kernel()
def gather_unit_rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """x rows picked by index with one row per tile (block size 1): the gather needs its dim."""
    n = index.size(0)
    out = torch.empty([n, x.size(1)], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n, block_size=1):
        out[tile, :] = x[index[tile], :] * 2.0
    return out


@helion.kernel()
def jagged_weighted_sums(
    values: torch.Tensor, offsets: torch.Tensor, weight: torch.Tensor
) -> torch.Tensor:
    """Per row, the sum of its slice of values [total, m] times weight [k] (k == m)."""
    num_rows = offsets.size(0) - 1
    m = values.size(1)
    out = torch.empty([num_rows, m], dtype=values.dtype, device=values.device)
    for row in hl.grid(num_rows):
        start = offsets[row]
        end = offsets[row + 1]
        total = hl.zeros([m], dtype=torch.float32)
        for tile_k in hl.tile(start, end):
            total = total + (values[tile_k, :] * weight[None, :]).sum(dim=0)
        out[row, :] = total
    return out


@helion.kernel()
def jagged_tile_row_norms(x: torch.Tensor, lengths: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Per row of the padded x [rows, max_len, d], the sum over its first lengths[row]
    positions of x times w [e] (e == d), with hl.jagged_tile."""
    num_rows = lengths.size(0)
    out = torch.empty([num_rows, x.size(2)], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(num_rows):
        row_lengths = lengths[tile_b]
        total = hl.zeros([tile_b, x.size(2)], dtype=torch.float32)
        for tile_k in hl.jagged_tile(row_lengths):
            total = total + (x[tile_b, tile_k, :] * w[None, None, :]).sum(dim=1)
        out[tile_b, :] = total
    return out


@helion.kernel()
def unit_rows_times_weight(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """x [m, n] * weight[None, :] ([k], k == n) with one row per tile: the view's None stands
    for the squeezed row tile."""
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n], block_size=[1, None]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * weight[None, tile_n]
    return out


@helion.kernel()
def unit_rows_sorted(x: torch.Tensor) -> torch.Tensor:
    """Each column of x [m, n] sorted over a tile of one row: a sort along a unit tile."""
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m, block_size=1):
        values, _ = torch.sort(x[tile_m, :], dim=1)
        out[tile_m, :] = values
    return out


@helion.kernel()
def squeezed_column_sums(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """x [m, n] row sums kept as [tile, 1], squeezed, plus the row sums of y [m, k]."""
    m = x.size(0)
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        kept = x[tile, :].sum(dim=1, keepdim=True)
        out[tile] = kept.squeeze(1) + y[tile, :].sum(dim=1)
    return out


@helion.kernel()
def expanded_bias(x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x [m, n] plus bias [k] (k == n) expanded to the tile's rows."""
    m, n = x.size()
    out = torch.empty_like(x)
    for tile in hl.tile(m):
        row = x[tile, :]
        out[tile, :] = row + bias[None, :].expand(tile, n)
    return out


@helion.kernel()
def gather_rows_loaded(x: torch.Tensor, index: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """hl.load of x [v, d] at index [n] → like [n, e] (e == d), scaled."""
    n = index.size(0)
    out = torch.empty_like(like)
    for tile in hl.tile(n):
        out[tile, :] = hl.load(x, [index[tile], slice(None)]) * 0.5
    return out


@helion.kernel()
def stored_rows_scaled(x: torch.Tensor, w: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """hl.store of x [m, n] * w [k] (k == n) into like [m, j] (j == n)."""
    m = x.size(0)
    out = torch.empty_like(like)
    for tile in hl.tile(m):
        hl.store(out, [tile, slice(None)], x[tile, :] * w[None, :])
    return out


@helion.kernel()
def running_sums_plus(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """hl.cumsum along whole rows of x [m, n], plus w [k] (k == n)."""
    m = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(m):
        out[tile, :] = hl.cumsum(x[tile, :], 1) + w[None, :]
    return out


@helion.kernel()
def batched_products_float32(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """torch.bmm(a, b, torch.float32) of [g, m, k] and [g, j, n] (j == k) as attention writes it."""
    g, m, k = a.size()
    n = b.size(2)
    out = torch.empty([g, m, n], dtype=torch.float32, device=a.device)
    for tile_g, tile_m in hl.tile([g, m]):
        out[tile_g, tile_m, :] = torch.bmm(a[tile_g, tile_m, :], b[tile_g, :, :], torch.float32)
    return out


@helion.kernel()
def jagged_tile_sums_into(x: torch.Tensor, lengths: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Per row of x [rows, max_len, d], the sum of its first lengths[row] positions, into a
    block of w's size [e] (e == d) and scaled by w: the jagged tile's dimension is summed."""
    num_rows = lengths.size(0)
    out = torch.empty([num_rows, w.size(0)], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(num_rows):
        row_lengths = lengths[tile_b]
        total = hl.zeros([tile_b, w.size(0)], dtype=torch.float32)
        for tile_k in hl.jagged_tile(row_lengths):
            total = total + x[tile_b, tile_k, :].sum(dim=1)
        out[tile_b, :] = total * w[None, :]
    return out
