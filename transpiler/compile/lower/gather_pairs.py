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
    tile, ':' or slice between them are refused (torch moves their dims to the front)."""
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
    combined = values[0]
    for value in values[1:]:
        combined = replace(combined, dims=builder.expressions.broadcast_dims(combined, value, node))
    return combined.dims
