"""Kernels of our own with flex attention's constructs: mask and score callables with `*args`,
`new_ones(size=())`, and tables with a dimension of 1 indexed by computed positions."""

from collections.abc import Callable

import helion
import helion.language as hl
import torch


@helion.kernel()
def masked_scores(x: torch.Tensor, score_mod: Callable, mask_mod: Callable) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        rows = (tile_m.begin + hl.arange(tile_m.block_size))[:, None]
        cols = (tile_n.begin + hl.arange(tile_n.block_size))[None, :]
        score = score_mod(x[tile_m, tile_n], rows, cols)
        keep = mask_mod(rows, cols)
        out[tile_m, tile_n] = torch.where(keep, score, -1.0)
    return out


@helion.kernel()
def flags_by_keyword(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        v = x[tile_m, tile_n]
        everywhere = v.new_ones(size=(), dtype=torch.bool, device=v.device)
        shift = v.new_full(size=[], fill_value=0.25)
        zeros = v.new_zeros(size=[tile_m, tile_n], dtype=torch.float32)
        out[tile_m, tile_n] = torch.where(everywhere, v + shift, zeros)
    return out


@helion.kernel(config=helion.Config(block_sizes=[8, 16]))
def scaled_by_block_table(x: torch.Tensor, table: torch.Tensor, group: int) -> torch.Tensor:
    """table[b, row_block] per tile of rows: a table of shape [1, 1] serves every tile."""
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        batch = tile_n.begin // x.size(1)  # always 0: a computed index
        row_block = tile_m.begin // group
        scale = table[batch, row_block]
        out[tile_m, tile_n] = x[tile_m, tile_n] * scale
    return out


@helion.kernel()
def rows_from_loaded_index(
    x: torch.Tensor, picks: torch.Tensor, bias: torch.Tensor
) -> torch.Tensor:
    """bias[picks[i], :] for each row i: bias may hold one row that every pick reads."""
    m, n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(m):
        pick = picks[i]
        for tile_n in hl.tile(n):
            out[i, tile_n] = x[i, tile_n] + bias[pick, tile_n]
    return out
