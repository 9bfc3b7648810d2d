"""The kinds of op-table rows: element-wise ops and reductions, and where each may be spelled."""

from __future__ import annotations

from dataclasses import dataclass

# Where a name may be spelled: torch.X, tensor.X(), torch.nn.functional.X.
TORCH, METHOD, FUNCTIONAL = "torch", "method", "functional"
MATH = (TORCH, METHOD)
ACTIVATION = (TORCH, METHOD, FUNCTIONAL)


@dataclass(frozen=True)
class ElementwiseOp:
    """An element-wise torch function: its Triton template over placeholders a, b, c (the
    tensor operands) and over its scalar parameters by name (`scalars`: name → the default's
    source text, None where torch requires it)."""

    name: str
    template: str
    spellings: tuple[str, ...] = MATH
    helpers: tuple[str, ...] = ()
    flops: int = 1
    float_args: bool = False  # arguments become float first, as torch does for integers
    takes_integers: bool = False  # (float_args) its template takes integer tensors as loaded
    result: str = "same"  # result dtype class: same | float | bool
    note: str = ""
    scalars: tuple[tuple[str, str | None], ...] = ()
    shape: str = "broadcast"  # the shape analysis' rule (lower/shape_calls.RULES)
    operator: str = ""  # the Python operator it is ("Add"): on bools it follows BOOL_OPERATORS
    condition: int | None = None  # the operand choosing between the others (where, masked_fill)
    # the operand only whose sign counts (copysign's): a number there is folded to ±1.0 (Triton
    # reads a -0.0 literal as 0.0)
    sign_of: int | None = None


@dataclass(frozen=True)
class ReductionOp:
    """A reduction along `dim`: how its lowering is spelled in Triton."""

    name: str
    triton: str  # the tl function or prelude helper the lowering emits
    identity: str  # what masked-out lanes hold before reducing
    spellings: tuple[str, ...] = MATH
    flops: int = 1
    keeps_shape: bool = False  # softmax-like: the result has the input's shape
    note: str = ""
    prepared: str = ""  # torch's definition: the reduction of this function of the value (a)
    whole: bool = False  # reduces every dimension at once when no dim is given (x.sum())
    widened: bool = False  # integers summed or multiplied in int64, as torch does
    scan: bool = False  # a running reduction along dim (the result keeps the input's shape)
    looped: str | None = None  # how a row walked in chunks accumulates it (LOOPED_KINDS)
    indices: bool = False  # with dim= also the indices: a (values, indices) pair (torch.max)
    divided: bool = False  # the sum divided by the count of lanes inside (torch.mean)
    variance: bool = False  # masked_var with correction= / unbiased= (its second argument)
    root: bool = False  # the square root of the result (torch.std)
    several: bool = False  # dim= may name several dims at once (torch.sum(x, (1, 2)))
    shape: str = "reduction"  # the shape analysis' rule (lower/shape_calls.RULES)
    nan: str = ""  # the prelude helper keeping a NaN of floats, as torch does, where tl's drops it
    empty_raises: bool = False  # torch raises IndexError along a dimension of size 0 (no identity)
    # a mean over only the lanes where this holds (nanmean: not NaN): the mean of `prepared`
    # divided by this predicate's mean, as a float of the value (a)
    counted: str = ""
    result: str = ""  # the result's dtype where not the input's (argmax: int64; any: bool)
    # max(x * c) is max(x) * c for c > 0, exactly (rounding is monotone): the max of a scaled
    # product is taken before the scaling (lower/scaled_products.py)
    scale_first: bool = False
    # the element-wise row a tensor in dim's place makes it (torch.max(a, b) is torch.maximum)
    pairwise: str = ""


# How a reduction along a row walked in chunks accumulates (lower/accumulations.py)
LOOPED_KINDS = {
    "sums": "each lane's running sum, one tl.sum after the loop (mean: divided by the count)",
    "welford": "each lane's running mean and squares, merged after the loop (var, std)",
    "extremes": "each lane's running max / min, one tl.max / tl.min after the loop",
    "best": "the best value and its index per chunk (lanes would lose the first of equal values)",
    "online": "a running max per row and each lane's sum of exponentials, rescaled as it grows",
}
