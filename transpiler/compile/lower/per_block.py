"""Values the generated kernel computes per block of a grid tile, and the rule that keeps them
out of branches.

`x[tile].sum()` reduces the lanes of one program's block: in the kernel it is a partial sum
that depends on the block size, while reference mode (each tile over its whole range) sums
everything. Into `hl.atomic_add` or a store such partials are what the user means; as the
condition of an `if` they make the kernel branch per block, silently unlike the reference.
"""

from __future__ import annotations

import ast

from .values import Axis


def is_grid_tile(axis: Axis | None, inner_blocks: set[str]) -> bool:
    """A tile of the top-level (grid) loop: each program holds one block of it."""
    return (
        axis is not None
        and axis.key is None
        and axis.size is None
        and not axis.block_var
        and not axis.parents
        and axis.block not in inner_blocks
    )


class PerBlockValues:
    """Code of reductions over grid tiles, and the device names that hold such values."""

    def __init__(self) -> None:
        self.results: list[ast.expr] = []
        self.names: set[str] = set()

    def reduced(self, code: ast.expr, axes, inner_blocks: set[str]) -> None:
        """`code` reduces over `axes`: remember it if one of them is a grid tile."""
        if any(is_grid_tile(axis, inner_blocks) for axis in axes):
            self.results.append(code)

    def assigned(self, name: str, code: ast.expr | None) -> None:
        """`name = code` in device code: the name holds a per-block value when the code does."""
        if code is not None and self.holds(code):
            self.names.add(name)
        else:
            self.names.discard(name)

    def holds(self, code: ast.expr) -> bool:
        for node in ast.walk(code):
            if isinstance(node, ast.Name) and node.id in self.names:
                return True
            if any(node is result for result in self.results):
                return True
        return False
