"""Op-table rows for sorts, top-k, flips and running extremes along a whole-row block."""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import MATH


@dataclass(frozen=True)
class OrderingOp:
    """An op that reorders or scans the lanes of one whole dimension (`x[tile, :]`, dim=1):
    a tile holds only part of a row, so along a tile it is refused (lower/orderings.py)."""

    name: str
    triton: str  # what the generated code calls
    result: str  # what it gives: values, indices or both
    flops: int = 1  # per element (a bitonic sort of n lanes: about log2(n)**2 / 2 steps)
    spellings: tuple[str, ...] = MATH
    note: str = ""
    form: str = "sorted"  # lower/orderings.py: sorted, top, reverse, running, log_running
    dim: int | None = 0  # the dim parameter's position after the input (None: it has none)
    dim_default: int | None = None  # dim when left out (None: required)
    dim_keyword: str = "dim"
    descending: int | None = None  # the position of descending= after the input, if it has one
    combine: str | None = None  # a running extreme's combine function (prelude helper)
    shape: str = "ordering"  # the shape analysis' rule (lower/shape_calls.RULES)


_KEYS = "int64 keys (the value's bits, then its lane) sorted by `tl.sort`"
ORDERING_OPS: tuple[OrderingOp, ...] = (
    OrderingOp(
        "sort",
        "sort_keys, tl.sort, key_values, key_indices",
        "(values, indices)",
        flops=50,
        note=f"{_KEYS}: stable (stable= accepted), NaN last (first when descending), as torch; "
        "32-bit values and narrower",
        dim_default=-1,
        descending=1,
    ),
    OrderingOp(
        "argsort",
        "as sort",
        "indices",
        flops=50,
        note="descending=, stable= as sort",
        dim_default=-1,
        descending=1,
    ),
    OrderingOp("msort", "as sort, along dim 0", "values", flops=50, dim=None, dim_default=0),
    OrderingOp(
        "topk",
        "sort_keys, tl.topk, key_values, key_indices",
        "(values, indices)",
        flops=50,
        note="k a power of two; largest=False honoured; the launcher checks k ≤ the row's "
        "length; sorted results",
        form="top",
        dim=1,
        dim_default=-1,
    ),
    OrderingOp(
        "flip",
        "flip_row (tl.gather of lane count - 1 - i)",
        "values",
        flops=0,
        note="one dim (dims=[d] or an int)",
        form="reverse",
        dim_keyword="dims",
    ),
    OrderingOp(
        "cummax",
        "tl.associative_scan((v, lane), combine_fn=running_max)",
        "(values, indices)",
        flops=2,
        note="the last index of a tie, NaN propagates, as torch",
        form="running",
        combine="running_max",
    ),
    OrderingOp(
        "cummin",
        "tl.associative_scan((v, lane), combine_fn=running_min)",
        "(values, indices)",
        flops=2,
        form="running",
        combine="running_min",
    ),
    OrderingOp(
        "logcumsumexp",
        "tl.associative_scan(v, combine_fn=logaddexp)",
        "values",
        flops=8,
        note="integers → float32",
        form="log_running",
    ),
)
ORDERING_OPS_BY_NAME = {op.name: op for op in ORDERING_OPS}
