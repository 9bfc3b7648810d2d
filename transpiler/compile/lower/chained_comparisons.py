"""A chained comparison (`0 < v < 0.5`) whose inner part is a block: refused with the `&` form.

Python runs `a < b < c` as `a < b and b < c`, calling bool() on every part but the last; torch
raises on a tensor of more than one value ("Boolean value of Tensor with more than one value
is ambiguous") and Helion's compiler refuses `and` on tensors. A chain of Python numbers, host
scalars and 0-d values stays valid (bool() of each is a Python bool)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import UnsupportedConstructError

if TYPE_CHECKING:
    from .kernel import KernelBuilder
    from .values import Value


def refuse_block_in_chain(
    k: KernelBuilder, node: cst.Comparison, position: int, part: Value
) -> None:
    """Refuse comparison `position` of chain `node` when it is a block and not the last part."""
    if position == len(node.comparisons) - 1 or not part.rank:
        return
    left = node.left
    pairs = []
    for target in node.comparisons:
        operator = k.source.code(target.operator).strip()
        pairs.append(
            f"({k.source.code(left).strip()} {operator} {k.source.code(target.comparator).strip()})"
        )
        left = target.comparator
    raise k.source.error(
        UnsupportedConstructError,
        node,
        "a chained comparison of a block (Python calls bool() on each part but the last; "
        "torch raises: the truth of a tensor of several values is ambiguous)",
        hint=f"write {' & '.join(pairs)}",
    )
