"""Our own Helion-style kernels with hl.associative_scan and hl.reduce: lambdas and module
functions as combine functions, single blocks and tuples of blocks."""

from typing import cast

import helion
import helion.language as hl
import torch


def add_pairs(left: torch.Tensor, right: torch.Tensor) -> torch.Tensor:
    return left + right


def segmented_add(
    left_sum: torch.Tensor, left_id: torch.Tensor, right_sum: torch.Tensor, right_id: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sums run on while the segment id stays the same; a new id starts from its own value."""
    same = left_id == right_id
    return torch.where(same, left_sum + right_sum, right_sum), right_id


def segmented_cumsum(values: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """A helper with a statement before its return, calling the scan (as Helion's examples do)."""
    pairs = (values, ids.expand_as(values))
    sums, _ = cast(
        "tuple[torch.Tensor, torch.Tensor]", hl.associative_scan(segmented_add, pairs, dim=1)
    )
    return sums


def larger_with_index(
    left_value: torch.Tensor,
    left_index: torch.Tensor,
    right_value: torch.Tensor,
    right_index: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    take_right = right_value > left_value
    return torch.where(take_right, right_value, left_value), torch.where(
        take_right, right_index, left_index
    )


@helion.kernel()
def row_scans(x: torch.Tensor) -> torch.Tensor:
    """Per row: inclusive sums (a module function) plus running maxima (a lambda)."""
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        sums = hl.associative_scan(add_pairs, row, dim=1)
        maxima = hl.associative_scan(lambda a, b: torch.maximum(a, b), row, dim=-1)
        out[tile_m, :] = (sums + maxima).to(out.dtype)
    return out


@helion.kernel()
def row_segment_sums(x: torch.Tensor, segment_ids: torch.Tensor) -> torch.Tensor:
    """Per row, the running sum within each run of equal segment ids (ids given per column)."""
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        ids = segment_ids[None, :]
        out[tile_m, :] = segmented_cumsum(x[tile_m, :].to(torch.float32), ids).to(out.dtype)
    return out


@helion.kernel()
def row_reductions(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per row: the largest value and its column (a tuple reduction, lanes past the row's end
    taking other=), and the product of 1 + x / 4 (a lambda, kept as a column)."""
    m, n = x.size()
    largest = torch.empty([m], dtype=torch.float32, device=x.device)
    where = torch.empty([m], dtype=torch.int32, device=x.device)
    products = torch.empty([m, 1], dtype=torch.float32, device=x.device)
    positions = torch.arange(n, dtype=torch.int32, device=x.device).expand(m, n)
    for tile_m in hl.tile(m):
        row = x[tile_m, :].to(torch.float32)
        columns = positions[tile_m, :]
        best, column = hl.reduce(larger_with_index, (row, columns), dim=1, other=(float("-inf"), 0))
        largest[tile_m] = best
        where[tile_m] = column
        products[tile_m, :] = hl.reduce(
            lambda a, b: a * b, 1 + row / 4, dim=1, other=1, keep_dims=True
        )
    return largest, where, products
