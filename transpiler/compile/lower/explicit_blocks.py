"""An inner loop's block size written from an outer tile's (`block_size=tile_m.block_size`)."""

from __future__ import annotations

import libcst as cst

from ..frontend.errors import UnsupportedConstructError
from .values import TILE


def outer_tile_block(builder, explicit: cst.BaseExpression | None) -> str | None:
    """`block_size=tile_m.block_size`: the outer tile's own BLOCK constexpr, shared."""
    if (
        isinstance(explicit, cst.Attribute)
        and explicit.attr.value == "block_size"
        and isinstance(explicit.value, cst.Name)
        and getattr(builder.scope.get(explicit.value.value), "kind", None) == TILE
    ):
        return builder.scope[explicit.value.value].axis.block
    return None


class _TileBlocks(cst.CSTTransformer):
    """`tile_m.block_size` → `BLOCK_M`, the launcher's name for that block."""

    def __init__(self, builder) -> None:
        self.builder = builder

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        block = outer_tile_block(self.builder, original_node)
        return cst.Name(block) if block is not None else updated_node


def launcher_block(builder, explicit: cst.BaseExpression) -> cst.BaseExpression:
    """An explicit block size as the launcher computes it (`tile_m.block_size * 2` is
    `BLOCK_M * 2` there); a value computed in the device loop has no launcher value."""
    for node in names_in(explicit):
        value = builder.scope.get(node.value)
        if value is not None and node.value not in builder.host.names and value.kind != TILE:
            raise builder.source.error(
                UnsupportedConstructError,
                node,
                f"a block size computed from {node.value!r}, a value of the device loop",
                hint="compute block sizes from sizes, arguments or tiles' .block_size",
            )
    return explicit.visit(_TileBlocks(builder))


def names_in(node: cst.CSTNode) -> list[cst.Name]:
    """The names `node` reads, not attributes' names (`x.size(0)`: x; `t.block_size`: t)."""
    found: list[cst.Name] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False  # `.block_size` is no name

    node.visit(Names())
    return found
