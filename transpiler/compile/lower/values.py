"""What lowering knows about each device value: its Triton code and which block axes it spans."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace

# Value kinds.
BLOCK = "block"  # a Triton value: a block (dims non-empty) or a scalar (dims empty)
TILE = "tile"  # one tile dimension (for tile in hl.tile(n))
TILES = "tiles"  # several tile dimensions bound to one name (for tile in hl.tile([m, n]))
DTYPE = "dtype"  # a dtype: code is the Triton dtype expression
HOST_TENSOR = "host_tensor"  # a tensor from the host: loads and stores go through its pointer
CONST = "const"  # a Python constant known while transpiling
TUPLE = "tuple"  # several values (torch.max(x, dim) gives values and indices)
MODULE = "module"  # a module or namespace name (torch, hl, math)


@dataclass(eq=False)
class Axis:
    """One block dimension of a kernel: a tile dimension, or a whole tensor dimension (`:`)."""

    offsets: str  # offs_n: the indices this program covers along the axis
    mask: str  # mask_n: which of those indices are inside the tensor
    block: str  # BLOCK_N: the block size (a tl.constexpr)
    end: ast.expr  # code for one past the last index
    begin: ast.expr  # code for this program's first index
    tile_id: ast.expr  # code for the tile number
    label: str  # how errors name it: "tile_n", ": (dim 1 of x)"
    key: str | None = None  # the host size of a whole dimension (`n`, `x.size(1)`); None for tiles
    # a tile of block size 1 written in the source (`block_size=[1, None]`): one index per
    # program, so Triton code has no dimension for it (2-D loads and dots for a batch of one)
    squeezed: bool = False
    size: int | None = None  # a dimension of known size (hl.join, torch.stack): no mask
    parents: tuple[Axis, ...] = ()  # hl.jagged_tile: the mask spans these axes, then this one
    # `hl.register_block_size`'s variable this axis is all the lanes of (`hl.zeros([tile_m,
    # block_size_n])`): no mask, every lane valid; it meets the tiles of that block size
    block_var: str = ""
    # the tiles start at an explicit begin (`hl.tile(begin, end)`): a tile's first index need
    # not be a multiple of the block size (TMA wants a 16-byte aligned start along the last
    # dimension, descriptors.py)
    shifted: bool = False
    # a scalar index standing as a squeezed tile for a descriptor (indexing.scalar_as_tile):
    # pointers read a dimension of 1 at any index, so TMA needs that dimension wider than 1
    scalar: bool = False
    # the loop's first index (`hl.tile(begin, end)`), None for 0: `tile.count` is
    # cdiv(end - first, block), the number of tiles along the loop
    first: ast.expr | None = None
    # a slice of fewer indices than its lanes (`x[tile, 2:9]`: 7 of 8 lanes), its length: a
    # mean, a variance or a flat argmax counts these, not the lanes; None where lanes = indices
    length: ast.expr | None = None
    # a slice of a constant length starting at an index the host knows (`x[tile, 2:9]`):
    # (tensor, dim, its end, its length). Two of one length meet lane by lane (lane j is each
    # one's start + j) once the launcher checks that each ends inside its tensor
    reach: tuple[str, int, str, int] | None = None

    @property
    def masked(self) -> bool:
        """Whether some lanes may fall outside the tensor (tiles and whole dimensions)."""
        return self.size is None and not self.block_var

    def __repr__(self) -> str:
        return f"Axis({self.label})"


def sized_axis(size: int, label: str) -> Axis:
    """A dimension of `size` lanes, all valid: the one `hl.join` / `torch.stack` add."""
    count = ast.Constant(value=size)
    zero = ast.Constant(value=0)
    return Axis("", "", str(size), count, zero, zero, label, size=size)


Dims = tuple["Axis | None", ...]


class NotSqueezable(Exception):
    """A block-size-1 tile meets an operation that needs its dimension (a reshape, a reduction
    over it, a size-1 dimension in its place that is no view's `None` standing for it): the
    shape analysis should have kept the tile's dimension (LoopPlan.squeeze_units) or let the
    `None` stand for it (none_tiles). lower_loop reports it as a bug of ours."""


def one_index(axis: Axis) -> bool:
    """A slice of one index the launcher checks lies inside (`x[t, 2:3]`): one Triton lane,
    which broadcasts as a dimension of 1 does (`x[t, 2][:, None]`)."""
    return axis.reach is not None and axis.reach[3] == 1 and axis.block == "1"


def is_squeezed(axis: Axis | None) -> bool:
    return axis is not None and axis.squeezed


def triton_dims(dims: Dims) -> Dims:
    """The dims that have a Triton dimension (squeezed tiles have none)."""
    return tuple(d for d in dims if not is_squeezed(d))


def triton_position(dims: Dims, position: int) -> int:
    """The Triton dimension of torch dimension `position`."""
    return len(triton_dims(dims[:position]))


def dims_hint(rank: int) -> str:
    """The hint of a dim out of range: the dims a value of `rank` has."""
    if rank == 0:
        return "a 0-d value has no dims: leave dim out"
    if rank == 1:
        return "a 1-D value has dim 0 (or -1) only; for a second dim add one first: x[:, None]"
    return f"a {rank}-D value's dims are 0 to {rank - 1} (or -{rank} to -1 from the end)"


def check_squeezable(first: Value | Dims, second: Value | Dims) -> None:
    """Right-aligned, a size-1 dimension of one value must not meet a squeezed tile of the
    other: Triton's blocks would differ in rank."""
    pairs = ((first, second), (second, first))
    for holder, other in pairs:
        holder_dims = holder.dims if isinstance(holder, Value) else holder
        other_dims = other.dims if isinstance(other, Value) else other
        for back in range(1, min(len(holder_dims), len(other_dims)) + 1):
            tile = other_dims[-back]
            if holder_dims[-back] is None and is_squeezed(tile):
                raise NotSqueezable(f"a size-1 dimension against the squeezed tile {tile.label}")


@dataclass(frozen=True)
class Value:
    """A value during lowering. `dims` gives, per torch dimension, its axis (None: size 1); each
    is a Triton dimension too, except squeezed tiles (block size 1, no Triton dimension)."""

    kind: str
    code: ast.expr | None = None
    dims: Dims = ()
    const: object = None
    dtype: str | None = None  # "float", "int", "bool" where known
    items: tuple[Value, ...] = field(default=())
    fields: tuple[str, ...] = ()  # a named tuple's field names, its items' (aminmax's min, max)
    axis: Axis | None = None
    name: str = ""  # the user's name for host tensors and modules
    storage: ast.expr | None = None  # a dtype the value is exact in (a load's element type)
    # the dtype torch holds the value in when it is a load's scaled by Python numbers (`q *
    # scale`: bfloat16 in torch, float32 here): a product's factor is rounded to it (dots.py)
    rounds_to: ast.expr | None = None
    native: bool = False  # loaded without upcast_half: may still be float16 / bfloat16
    zero_outside: frozenset = frozenset()  # axes along which lanes outside the tensor hold 0
    # block-size lanes a sum kept with a tile's zeros outside the tensor (`acc + x[tile_n]`,
    # block_sizes.kept_block_lanes): no mask needed when it is assigned back
    lanes_kept: frozenset = frozenset()
    # block-size lanes holding a number put there outside any loop over that block size
    # (`hl.full([tile_m, block_size_n], 1.0)`, `acc + 1` before the loop): an eager run has n
    # such lanes, the kernel BLOCK_SIZE_N, so a sum over them is refused (block_sizes.py)
    filled_lanes: frozenset = frozenset()
    stored: ast.expr | None = None  # the value's code in its stored dtype (before upcast_half)
    # host tensors this value is an unconverted load of: were one of them bool, arithmetic on
    # the value would be wrong in Triton (True + True wraps to False), so the launcher refuses
    # bool there (KernelBuilder.note_arithmetic)
    loaded_from: frozenset = frozenset()
    # an integer block made by hl.zeros / hl.full with a narrower dtype than int64: the Triton
    # dtype a loop that reassigns it casts it back to (loop-carried values keep their type)
    carried_dtype: str | None = None
    # an integer sum or product is inside (int64 whatever its input: int64_if_integer): torch
    # widens a narrower carried integer rebound to it (`acc = acc + x[t].sum(1)`)
    widened: bool = False
    # a 0-d torch tensor that is no load (a reduction to 0-d, arithmetic on one): not a Python
    # number, so torch's promotion ranks it below tensors with dimensions (lower/promotion.py)
    zero_dim_tensor: bool = False
    # tensors whose values this one computes with unconverted (`x * y`: x and y; a cast clears
    # it): a float argument meeting it is refused for float64 ones (integer_promotion.py)
    fed_by: frozenset = frozenset()
    # integer lanes no tensor holds: `tile.index`, `hl.arange`, their views and their
    # arithmetic with Python ints (INDEX_DTYPE in the kernel, int64 in torch: index_values.py)
    index_lanes: bool = False
    # a dot's result times a scalar, less a value (scaled_products.Scaled): amax and exp read it
    scaled: object = None
    # a named load times / over a scalar (scaled_factors.ScaledTile): a product may take the
    # load as it is and scale its result
    scale_of: object = None

    @property
    def rank(self) -> int:
        return len(self.dims)

    @property
    def triton_rank(self) -> int:
        return len(triton_dims(self.dims))

    def with_code(self, code: ast.expr, **changes: object) -> Value:
        return replace(self, code=code, **changes)


def block(code: ast.expr, dims: Dims = (), dtype: str | None = None) -> Value:
    return Value(BLOCK, code, tuple(dims), dtype=dtype)


def constant(value: object) -> Value:
    dtype = (
        "bool"
        if isinstance(value, bool)
        else "int"
        if isinstance(value, int)
        else "float"
        if isinstance(value, float)
        else None
    )
    return Value(CONST, ast.Constant(value=value), (), const=value, dtype=dtype)
