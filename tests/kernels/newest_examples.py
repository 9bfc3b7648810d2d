"""Kernels of our own with the constructs Helion's newest examples use (issue 15)."""

import helion
import helion.language as hl
import torch
from helion.autotuner import PowerOfTwoFragment  # the imported spelling (and the dotted one)


@helion.kernel()
def side_by_side(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    # slices whose bounds are host sizes: `:width` and `width:` of the output's columns
    rows = left.size(0)
    out = torch.empty([rows, left.size(1) + right.size(1)], dtype=left.dtype, device=left.device)
    width = left.size(1)
    for tile_r in hl.tile(rows):
        out[tile_r, :width] = left[tile_r, :] * 2.0
        out[tile_r, width:] = right[tile_r, :] + 1.0
    return out


@helion.kernel()
def shifted_window(x: torch.Tensor, skip: int) -> torch.Tensor:
    # a slice from a host integer argument to the end, read (not written)
    n = x.shape[1]
    out = torch.empty([x.shape[0], n - skip], dtype=x.dtype, device=x.device)
    for tile_r in hl.tile(x.shape[0]):
        out[tile_r, :] = torch.relu(x[tile_r, skip:])
    return out


from math import tau  # noqa: E402 - module globals of the next kernel, imported and assigned

from torch import float16 as HALF_PRECISION  # noqa: E402

STORE_DTYPE = HALF_PRECISION


@helion.kernel()
def turns_to_radians(turns: torch.Tensor) -> torch.Tensor:
    # a dtype and a number bound at module level, read in the device loop
    out = torch.empty(turns.size(), dtype=STORE_DTYPE, device=turns.device)
    for tile in hl.tile(turns.size()):
        out[tile] = (turns[tile] * tau).to(STORE_DTYPE)
    return out


@helion.kernel()
def picked_rows_times_vector(
    weights: torch.Tensor, picks: torch.Tensor, v: torch.Tensor
) -> torch.Tensor:
    # rows gathered through loaded indices times a vector viewed as one column: a product
    # whose N is 1 (tl.dot wants 16), accumulated in an [tile, 1] block
    rows, k = weights.size()
    count = picks.size(0)
    v = v.view(k, 1)
    out = torch.empty([count, 1], dtype=v.dtype, device=v.device)
    for tile_p in hl.tile(count):
        acc = hl.zeros([tile_p, 1], dtype=torch.float32)
        row = picks[tile_p]
        for tile_k in hl.tile(k):
            acc += hl.dot(weights[row, tile_k], v[tile_k, :])
        out[tile_p, :] = acc
    return out


@helion.kernel()
def row_times_column(a: torch.Tensor, column: torch.Tensor) -> torch.Tensor:
    # the same N of 1 through `@`, the column reshaped in host code
    m, k = a.size()
    column = column.reshape(k, 1)
    out = torch.empty([m, 1], dtype=torch.float32, device=a.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, 1], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + a[tile_m, tile_k] @ column[tile_k, :]
        out[tile_m, :] = acc
    return out


@helion.kernel()
def rows_by_worker(x: torch.Tensor) -> torch.Tensor:
    # one program per SM (helion.runtime in host code), each walking every workers-th row;
    # the number of row chunks a tunable (a fragment spelled through its module)
    workers = helion.runtime.get_num_sm(x.device)
    chunks = hl.register_tunable("chunks", helion.autotuner.PowerOfTwoFragment(1, 8, 2))
    m, n = x.size()
    out = torch.empty_like(x)
    steps = helion.cdiv(m, workers)
    for worker in hl.grid(workers):
        for step in hl.grid(steps):
            row = step * workers + worker
            if row < m:
                out[row, :] = x[row, :] * chunks
    return out


from helion.runtime import get_num_sm  # noqa: E402


@helion.kernel()
def rows_by_worker_imported(x: torch.Tensor) -> torch.Tensor:
    workers = get_num_sm(x.device)
    chunks = hl.register_tunable("chunks", PowerOfTwoFragment(1, 8, 4))
    m, n = x.size()
    out = torch.empty_like(x)
    steps = helion.cdiv(m, workers)
    for worker in hl.grid(workers):
        for step in hl.grid(steps):
            row = step * workers + worker
            if row < m:
                out[row, :] = x[row, :] * chunks
    return out


@helion.kernel()
def first_columns(x: torch.Tensor, count: int) -> torch.Tensor:
    # a slice ending at a host integer: the launcher checks it lies inside x
    out = torch.empty([x.size(0), count], dtype=x.dtype, device=x.device)
    for tile_r in hl.tile(x.size(0)):
        out[tile_r, :] = x[tile_r, :count] * 3
    return out


@helion.kernel()
def rotate_pairs(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # each row's two halves rotated by an angle per position: the row reshaped to [2, half]
    # (a literal 2 and a host size), split, rotated, joined and reshaped back
    rows, width = x.size()
    half = width // 2
    out = torch.empty_like(x)
    for tile_r in hl.tile(rows):
        pair = x[tile_r, :].to(torch.float32).reshape([tile_r, 2, half]).permute(0, 2, 1)
        first, second = hl.split(pair)
        c, s = cos[tile_r, :], sin[tile_r, :]
        rotated = hl.join(first * c - second * s, second * c + first * s)
        out[tile_r, :] = rotated.permute(0, 2, 1).reshape([tile_r, width]).to(out.dtype)
    return out


@helion.kernel()
def rotate_pairs_3d(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # the same on [batch, seq, width] tiles of two dimensions, spelled with view(...)
    batch, seq, width = x.size()
    half = width // 2
    out = torch.empty_like(x)
    for tile_b, tile_s in hl.tile([batch, seq]):
        pair = x[tile_b, tile_s, :].view(tile_b, tile_s, 2, half).permute(0, 1, 3, 2)
        first, second = hl.split(pair.to(torch.float32))
        c, s = cos[tile_s, :][None, :, :], sin[tile_s, :][None, :, :]
        rotated = hl.join(first * c - second * s, second * c + first * s).permute(0, 1, 3, 2)
        out[tile_b, tile_s, :] = rotated.reshape(tile_b, tile_s, width).to(out.dtype)
    return out


@helion.kernel()
def doubled_where_rows_positive(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # a block's sizes unpacked in the device loop, as a view's and an expand's shape
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        update = y[tile_m, tile_n] * 2
        block_m, block_n = update.size()
        keep = x[tile_m, 0] > 0
        mask = keep.view(block_m, 1).expand(block_m, block_n)
        out[tile_m, tile_n] = torch.where(mask, update, x[tile_m, tile_n])
    return out


@helion.kernel()
def doubled_where_rows_positive_shape(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        update = y[tile_m, tile_n] * 2
        rows, columns = update.shape
        keep = x[tile_m, 0] > 0
        out[tile_m, tile_n] = torch.where(
            keep.reshape(rows, 1).expand(rows, columns), update, x[tile_m, tile_n]
        )
    return out


@helion.kernel(config=helion.Config(block_sizes=[128, 2]))
def chunked_row_sums(x: torch.Tensor) -> torch.Tensor:
    # a config's first block size is the registered one's (Helion numbers those first)
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    block_n = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, block_n], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_n):
            acc += x[tile_m, tile_n]
        out[tile_m] = acc.sum(-1)
    return out


@helion.kernel(config=helion.Config(block_sizes=[32, 16, 4]))
def chunked_products(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    # two registered block sizes, then the tile: [32, 16] are theirs in the order made, 4 the tile's
    m, k = x.size()
    _, n = y.size()
    block_k = hl.register_block_size(k)
    block_n = hl.register_block_size(n)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        for tile_n in hl.tile(n, block_size=block_n):
            acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(k, block_size=block_k):
                acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
            out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def column_totals_and_doubled(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    # index lists with slice(None) for ':' (hl.atomic_add and hl.store)
    m, n = x.size()
    totals = torch.zeros([n], dtype=torch.float32, device=x.device)
    doubled = torch.empty_like(x)
    for tile_m in hl.tile(m):
        rows = x[tile_m, :].to(torch.float32)
        hl.atomic_add(totals, [slice(None)], rows.sum(0))
        hl.store(doubled, [tile_m, slice(None, None)], (rows * 2).to(x.dtype))
    return totals, doubled


@helion.kernel()
def batched_rms_rows(x: torch.Tensor) -> torch.Tensor:
    # tiles over two leading dimensions, each program a few whole rows of the last
    b, m, n = x.size()
    out = torch.empty_like(x)
    for tile_b, tile_m in hl.tile([b, m]):
        rows = x[tile_b, tile_m, :].to(torch.float32)
        scale = torch.rsqrt(torch.mean(rows * rows, dim=-1, keepdim=True) + 1e-6)
        out[tile_b, tile_m, :] = (rows * scale).to(out.dtype)
    return out
