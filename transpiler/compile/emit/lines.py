"""Generated code as data: a line with its depth and source line, a kernel parameter, a lowered kernel."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Param:
    """A kernel parameter and what the launcher passes for it."""

    name: str
    launch: str  # host expression text
    kind: str  # one of PARAM_ORDER


# kernel parameters in this order: pointers, tuples of pointers, sizes, scalars, strides
PARAM_ORDER = ("tensor", "tensors", "size", "scalar", "stride")


@dataclass
class Line:
    depth: int
    text: str
    source_line: int


@dataclass(frozen=True)
class BlockDefault:
    """A tunable block size as lowering left it: its constexpr (`BLOCK_N`), the tile it steps
    (`tile_n`; None: a registered block size no loop of this kernel steps by) and the launcher's
    default (`"64"`, or an expression of the sizes); `axes`: the most axes one value of the
    kernel gives its block (2 for `x[tile, idx[tile]]`'s [tile, tile] block: the search caps it,
    run/tile_configs.py)."""

    name: str
    tile: str | None
    launcher: str | None
    axes: int = 1


@dataclass
class LoweredKernel:
    """A @triton.jit function and the host lines that launch it."""

    name: str
    kernel_lines: list[Line]
    launcher_lines: list[Line]
    helpers: set[str] = field(default_factory=set)
    host_helpers: set[str] = field(default_factory=set)
    tunables: list[tuple[str, str]] = field(
        default_factory=list
    )  # (BLOCK name, role), config order
    functions: dict[str, str] = field(default_factory=dict)  # hl.triton_kernel sources by name
    whole_sizes: tuple[str, ...] = ()  # host sizes of its whole dimensions (reduction_loops)
    block_defaults: tuple[BlockDefault, ...] = ()  # per tunable, in config order
    chunks_k: bool = False  # a product over a whole K may be taken in chunks (split_k.py)
