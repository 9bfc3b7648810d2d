"""A tile on several axes of one value (`x[tile, idx[tile]]`: a [tile, tile] block): its block capped."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# the elements a program holds at the default blocks: [1024], [32, 32] and [8, 8, 16] alike
DEFAULT_ELEMENTS = 1024


def largest_block(axes: int, elements: int) -> int:
    """The largest power of two whose block on `axes` axes holds at most `elements` elements:
    a tile on two axes at 1,024 elements gets 32 lanes ([32, 32], the 2-D default), on three 8
    (the 3-D default's 8 x 8 x 16 holds 1,024 too)."""
    block = 1
    while (block * 2) ** axes <= elements:
        block *= 2
    return block


def capped(default: str, cap: int) -> str:
    """A launcher's block default (`"1024"`, or an expression of whole dimensions' blocks) at
    most `cap`."""
    if default.isdigit():
        return str(min(int(default), cap))
    return f"min({cap}, {default})"


def default_cap(axes: int) -> int:
    """The most lanes a default block on `axes` axes of one value takes."""
    return largest_block(axes, DEFAULT_ELEMENTS)


def other_axes_share(builder: KernelBuilder, name: str) -> int:
    """What a block's other axes may multiply a program's elements by: its cap to the power
    of its axes after the first (1 for a block on one axis). A row tile on two axes beside a
    whole row takes `128 // BLOCK_N` rows, at most 32: at most 4,096 elements, as one axis."""
    axes = builder.plan.tile_axes.get(builder.block_tiles.get(name, ""), 1)
    return default_cap(axes) ** (axes - 1)


def cap_repeated_blocks(builder: KernelBuilder) -> None:
    """Caps the default of each block the plan shows on several axes of one value, so that
    block holds at most DEFAULT_ELEMENTS elements: `x[tile, idx[tile]]` at the 1-D default of
    1,024 lanes was a [1024, 1024] block that ptxas compiled for minutes. A block the user or a
    config fixed is kept; a product's block keeps the 16 lanes tl.dot wants."""
    dot_blocks = {axis.block for axis in builder.dot_axes}
    for name, tile in builder.block_tiles.items():
        axes = builder.plan.tile_axes.get(tile, 1)
        if axes < 2 or name in builder.explicit_blocks or name not in builder.constexprs:
            continue
        cap = default_cap(axes)
        if name in dot_blocks:
            cap = max(cap, 16)
        builder.constexprs[name] = capped(builder.constexprs[name], cap)
