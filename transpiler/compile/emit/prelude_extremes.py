"""@triton.jit helpers for max / min reductions that keep a NaN, as torch's do (tl.max drops it),
and argmax / argmin that pick a NaN's index, as torch's do (tl.argmax compares with `>`: a NaN
wins or loses by where the reduction tree meets it; Triton's interpreter, numpy's argmax, picks
it, so CPU runs of tl.argmax could not show it)."""

from __future__ import annotations

Helper = tuple[str, tuple[str, ...]]  # its source, and the helpers it calls


def _keeping_nan(reduction: str, combine: str) -> Helper:
    """`max_nan` / `min_nan`: tl.reduce with tl.maximum / tl.minimum propagating NaN."""
    return (
        f"""@triton.jit
def {reduction}_nan(x, axis: tl.constexpr = None, keep_dims: tl.constexpr = False):  # torch's {reduction}: NaN wins
    return tl.reduce(upcast_half(x), axis, {combine}_nan, keep_dims=keep_dims)  # (tl.{reduction} drops it)


@triton.jit
def {combine}_nan(a, b):
    return tl.{combine}(a, b, propagate_nan=tl.PropagateNan.ALL)
""",
        ("upcast_half",),
    )


def _index_of(name: str, reduction: str) -> Helper:
    """`argmax_nan` / `argmin_nan`: the index half of max_index_nan / min_index_nan."""
    return (
        f"""@triton.jit
def {name}_nan(x, axis: tl.constexpr, keep_dims: tl.constexpr = False):  # torch's {name}
    _, index = {reduction}_index_nan(x, axis, keep_dims)
    return index
""",
        (f"{reduction}_index_nan",),
    )


# Each helper: its source, and the helpers it calls (prelude.HELPERS takes them all).
EXTREME_HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "max_nan": _keeping_nan("max", "maximum"),
    "min_nan": _keeping_nan("min", "minimum"),
    "argmax_nan": _index_of("argmax", "max"),
    "argmin_nan": _index_of("argmin", "min"),
    "max_index_nan": (
        """@triton.jit
def max_index_nan(x, axis: tl.constexpr, keep_dims: tl.constexpr = False):
    # torch's max(dim): the greatest value, a NaN above all, and its first index
    return tl.reduce((x, lane_positions(x, axis)), axis, first_greatest, keep_dims=keep_dims)


@triton.jit
def first_greatest(value, index, other, other_index):
    nan, other_nan = value != value, other != other
    greater = (value > other) | (nan & ~other_nan)
    equal = (value == other) | (nan & other_nan)
    wins = greater | (equal & (index < other_index))
    return tl.where(wins, value, other), tl.where(wins, index, other_index)
""",
        ("lane_positions",),
    ),
    "min_index_nan": (
        """@triton.jit
def min_index_nan(x, axis: tl.constexpr, keep_dims: tl.constexpr = False):
    # torch's min(dim): the least value, a NaN below all, and its first index: the greatest of
    # the values flipped (-x keeps NaN; ~x cannot overflow at an int's least value, as -x does)
    if x.dtype.is_floating():
        value, index = max_index_nan(-x, axis, keep_dims)
        return -value, index
    else:
        value, index = max_index_nan(~x, axis, keep_dims)
        return ~value, index
""",
        ("max_index_nan",),
    ),
    "lane_positions": (
        """@triton.jit
def lane_positions(x, axis: tl.constexpr):  # each lane's position along axis, in x's shape
    positions = tl.arange(0, x.shape[axis])
    if len(x.shape) == 2:
        positions = positions[:, None] if axis == 0 else positions[None, :]
    elif len(x.shape) == 3:
        if axis == 0:
            positions = positions[:, None, None]
        elif axis == 1:
            positions = positions[None, :, None]
        else:
            positions = positions[None, None, :]
    elif len(x.shape) == 4:
        if axis == 0:
            positions = positions[:, None, None, None]
        elif axis == 1:
            positions = positions[None, :, None, None]
        elif axis == 2:
            positions = positions[None, None, :, None]
        else:
            positions = positions[None, None, None, :]
    return tl.broadcast_to(positions, x.shape)
""",
        (),
    ),
}
