"""hl calls inside a device loop: bound by their row of the hl table, lowered by its method."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.errors import (
    BarrierPlacementError,
    UnknownLanguageNameError,
    UnsupportedConstructError,
    UnsupportedOpError,
    near_names,
)
from ..frontend.signatures import HL_SIGNATURES, bind
from ..ops.hl import HL_BY_NAME, LANGUAGE_NAMES, REFUSED_LANGUAGE
from .argument_values import check_values
from .arguments import Arguments
from .values import TILE, Value, constant

if TYPE_CHECKING:
    from .kernel import KernelBuilder


class HlCalls:
    """`call_language` and the hl rows whose lowering needs a word more than the method
    they call."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def call_language(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """An hl call: bound against its signature in the hl table, lowered by its row's method."""
        op = HL_BY_NAME.get(name)
        if op is not None:  # every argument by its Helion name; unknown keywords refused
            refused = dict(op.refused)
            bound = bind(
                HL_SIGNATURES[name],
                args.positional,
                args.keyword_args,
                node,
                self.k.source.error,
                refused=tuple(refused),
                hints=refused,
                owner=f"hl.{name}",
            )
            check_values(self.k, name, f"hl.{name}", bound, dict(op.kinds))
            args = args.bound(bound)
        if op is None or op.lowering is None:
            if name in REFUSED_LANGUAGE:
                why, hint = REFUSED_LANGUAGE[name]
                raise self.k.source.error(
                    UnsupportedOpError, node, f"hl.{name} is not supported: it {why}", hint=hint
                )
            if op is not None and op.host is not None:  # register_block_size, ...
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node,
                    f"hl.{name}() is host code: it runs before the device loop, not inside it",
                    hint=f"call it above the loop (value = hl.{name}(...)) and use the name inside",
                )
            if name in LANGUAGE_NAMES:
                raise self.k.source.error(
                    UnsupportedConstructError,
                    node,
                    f"hl.{name} is part of Helion's language but not of this transpiler yet",
                    hint="see docs/ops.md for what is supported",
                )
            raise self.k.source.error(
                UnknownLanguageNameError,
                node.func,
                f"helion.language has no name {name!r}",
                hint=near_names(name, LANGUAGE_NAMES) or "see docs/ops.md for the language",
            )
        return self.k.lowering(op.lowering)(name, args, node)

    def hl_allocate(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.zeros(shape, dtype)`, `hl.full(shape, value, dtype)`: a row without a `value`
        parameter fills with zeros."""
        value_node = args.keywords.get("value")
        value = constant(0.0) if value_node is None else self.k.expressions.lower_expr(value_node)
        dtype_node = args.keywords.get("dtype")
        dtype = self.k.expressions.lower_expr(dtype_node) if dtype_node is not None else None
        if dtype is not None:
            self.k.views.refuse_unsupported_dtype(dtype, node)
        return self.k.allocations.allocate(args.keywords["shape"], value, dtype, node)

    def hl_scan(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.cumsum(x, dim)`, `hl.cumprod(x, dim)`: the op table's scans."""
        return self.k.reductions.reduction(
            name, self.k.expressions.lower_expr(args.get(0, "input_tensor")), args.rest(1), node
        )

    def hl_passthrough(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.specialize(v)`, `hl.register_reduction_dim(n)`: the value itself."""
        return self.k.expressions.lower_expr(args.get(0, "value"))

    def hl_barrier(self, name: str, args: Arguments, node: cst.Call) -> Value:
        raise self.k.source.error(
            BarrierPlacementError,
            node,
            "hl.barrier() inside a device loop: it can only separate the kernel's "
            "top-level device loops",
        )

    def hl_tile_attribute(self, name: str, args: Arguments, node: cst.Call) -> Value:
        """`hl.tile_index(tile)` is `tile.index`, and so on."""
        tile_node = args.get(0, "tile")
        tile = self.k.expressions.lower_expr(tile_node) if tile_node is not None else None
        if tile is None or tile.kind != TILE or len(node.args) != 1:
            raise self.k.source.error(
                UnsupportedConstructError,
                node,
                f"hl.{name} takes one tile",
                hint=f"write hl.{name}(tile), or tile.{_tile_attribute(name)}",
            )
        return self.k.expressions.tile_attribute(tile, _tile_attribute(name), node)

    def hl_loop_only(self, name: str, args: Arguments, node: cst.Call) -> Value:
        raise self.k.source.error(
            UnsupportedConstructError,
            node,
            f"hl.{name}() is only meaningful as the iterable of a for loop",
            hint=f"write `for tile in hl.{name}(n):`",
        )


def _tile_attribute(name: str) -> str:
    """The attribute an hl tile function spells (the hl table's rows lowered by
    hl_tile_attribute): hl.tile_index(tile) is tile.index, hl.tile_block_size(tile) is
    tile.block_size."""
    return name.removeprefix("tile_")
