"""Several index blocks in one subscript, as torch reads them: paired, not crossed."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from ..frontend.errors import UnsupportedConstructError
from .values import Dims

GATHER = "gather"


def paired_gathers(builder, elements: list[tuple[str, object]], node: cst.Subscript) -> Dims | None:
    """torch's advanced indexing: `dense[rows[t], cols[t]]` reads one element per lane of t
    (the index blocks broadcast together into one set of dims), not the t × t block of every
    row with every column. None where fewer than two index blocks appear. Index blocks with a
    tile, ':' or slice between them are refused (torch moves their dims to the front).
    One-dimensional index blocks over different tiles (`x[rows, tile_n.index]`, rows from
    `hl.arange(block_m)`) each keep their own dimension, as Helion reads them (torch would
    refuse their unequal lengths): None, an outer product."""
    at = [i for i, (kind, _) in enumerate(elements) if kind == GATHER]
    if len(at) < 2:
        return None
    if at[-1] - at[0] != len(at) - 1:
        raise builder.source.error(
            UnsupportedConstructError,
            node,
            "index blocks separated by a tile, ':' or a slice",
            hint="put the index blocks next to each other (torch moves separated ones first), "
            "or index one dimension at a time",
        )
    values = [elements[i][1] for i in at]
    axes = [value.dims[0] for value in values if len(value.dims) == 1]
    if len(axes) == len(values) and len(set(axes)) == len(axes):
        return None
    combined = values[0]
    for value in values[1:]:
        combined = replace(
            combined, dims=builder.broadcasting.broadcast_dims(combined, value, node)
        )
    return combined.dims
