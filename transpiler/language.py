"""`hl` in reference mode: each name of the hl table (ops/hl.py) bound to its eager implementation."""

from __future__ import annotations

from .compile.ops.hl import HL

# the types kernels name, and reference mode's own helpers (its rewrite of a kernel calls them)
from .reference.eager import ReferenceUnsupportedError, random_offsets  # noqa: F401
from .reference.hl_eager import index, stored  # noqa: F401
from .reference.products import addmm, baddbmm, bmm, mm  # noqa: F401
from .reference.tiles import (  # noqa: F401
    Tile,
    TileIndex,
    current_device,
    reference_device,
    run_on_argument_device,
    with_tile_indices,
)

globals().update({op.name: op.eager for op in HL})

__all__ = [op.name for op in HL] + ["Tile", "current_device", "reference_device"]
