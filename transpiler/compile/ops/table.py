"""The torch → Triton op table: data that drives code generation, the cost model and docs/ops.md."""

from __future__ import annotations

from .composites import COMPOSITES
from .kinds import ACTIVATION as _ACT
from .kinds import FUNCTIONAL, METHOD, TORCH, ElementwiseOp, ReductionOp
from .kinds import MATH as _MATH
from .table_math import ACTIVATIONS, POINTWISE_MATH
from .table_orderings import ORDERING_OPS

__all__ = ["ElementwiseOp", "ReductionOp", "FUNCTIONAL", "METHOD", "TORCH"]

ELEMENTWISE: tuple[ElementwiseOp, ...] = (
    ElementwiseOp("exp", "tl.exp(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("exp2", "tl.exp2(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("log", "tl.log(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("log2", "tl.log2(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("sqrt", "tl.sqrt(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("rsqrt", "tl.rsqrt(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("sin", "tl.sin(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("cos", "tl.cos(a)", _MATH, float_args=True, result="float"),
    ElementwiseOp("abs", "tl.abs(a)", _MATH),
    ElementwiseOp("neg", "-a", _MATH, operator="Minus"),
    ElementwiseOp("sigmoid", "tl.sigmoid(a)", _ACT, float_args=True, result="float", flops=4),
    ElementwiseOp("tanh", "tanh(a)", _ACT, ("tanh",), float_args=True, result="float", flops=5),
    ElementwiseOp("relu", "tl.maximum(a, 0, propagate_nan=tl.PropagateNan.ALL)", _ACT),
    ElementwiseOp(
        "silu", "silu(a)", (FUNCTIONAL,), ("silu",), float_args=True, result="float", flops=5
    ),
    ElementwiseOp(
        "gelu",
        "gelu(a)",
        (FUNCTIONAL,),
        ("gelu",),
        float_args=True,
        result="float",
        flops=8,
        note='approximate="tanh" → gelu_tanh',
    ),
    ElementwiseOp("floor", "round_down(a)", _MATH, ("round_down",), note="integers stay integers"),
    ElementwiseOp("ceil", "round_up(a)", _MATH, ("round_up",), note="integers stay integers"),
    ElementwiseOp("maximum", "tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)", _MATH),
    ElementwiseOp("minimum", "tl.minimum(a, b, propagate_nan=tl.PropagateNan.ALL)", _MATH),
    ElementwiseOp("where", "tl.where(a, b, c)", (TORCH,), flops=0, condition=0),
    ElementwiseOp(
        "masked_fill",
        "masked_fill(a, b, c)",
        _MATH,
        ("masked_fill",),
        flops=0,
        note="x.masked_fill(mask, v); v takes x's dtype, as in torch",
        condition=1,
    ),
    ElementwiseOp("add", "a + b", _MATH, operator="Add"),
    ElementwiseOp("sub", "a - b", _MATH, operator="Subtract"),
    ElementwiseOp("mul", "a * b", _MATH, operator="Multiply"),
    ElementwiseOp("div", "a / b", _MATH, result="float", operator="Divide"),
    ElementwiseOp("true_divide", "a / b", _MATH, result="float", operator="Divide", note="div"),
    ElementwiseOp("rsub", "b - a", (TORCH,), operator="Subtract", note="other - x"),
    ElementwiseOp("pow", "power(a, b)", _MATH, ("power",), flops=3, operator="Power"),
    ElementwiseOp(
        "clamp",
        "tl.minimum(tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL), c, propagate_nan=tl.PropagateNan.ALL)",
        _MATH,
        flops=2,
        note="min= / max= may be given alone; NaN stays NaN, as in torch",
    ),
    ElementwiseOp("square", "a * a", _MATH),
    ElementwiseOp("eq", "a == b", _MATH, flops=0, result="bool"),
    ElementwiseOp("ne", "a != b", _MATH, flops=0, result="bool"),
    ElementwiseOp("lt", "a < b", _MATH, flops=0, result="bool"),
    ElementwiseOp("le", "a <= b", _MATH, flops=0, result="bool"),
    ElementwiseOp("gt", "a > b", _MATH, flops=0, result="bool"),
    ElementwiseOp("ge", "a >= b", _MATH, flops=0, result="bool"),
    ElementwiseOp("logical_not", "a == 0", _MATH, flops=0, result="bool"),
    *POINTWISE_MATH,
    *ACTIVATIONS,
)

REDUCTIONS: tuple[ReductionOp, ...] = (
    ReductionOp("sum", "tl.sum", "0", whole=True, widened=True, looped="sums", several=True),
    ReductionOp("mean", "tl.sum", "0", note="sum divided by the count of lanes inside", whole=True, looped="sums", divided=True, several=True),
    ReductionOp("amax", "tl.max", "-inf", nan="max_nan", whole=True, looped="extremes", several=True, empty_raises=True, scale_first=True),
    ReductionOp("amin", "tl.min", "inf", nan="min_nan", whole=True, looped="extremes", several=True, empty_raises=True),
    ReductionOp("max", "tl.max", "-inf", nan="max_nan", note="max(dim) also gives indices; max(a, b) is maximum", whole=True, looped="extremes", indices=True, empty_raises=True, scale_first=True, pairwise="maximum"),
    ReductionOp("min", "tl.min", "inf", nan="min_nan", note="min(dim) also gives indices; min(a, b) is minimum", whole=True, looped="extremes", indices=True, empty_raises=True, pairwise="minimum"),
    ReductionOp("argmax", "tl.argmax", "-inf", nan="argmax_nan", looped="best", empty_raises=True, result="int64"),
    ReductionOp("argmin", "tl.argmin", "inf", nan="argmin_nan", looped="best", empty_raises=True, result="int64"),
    ReductionOp("softmax", "masked_softmax", "-inf", _ACT, flops=4, keeps_shape=True, looped="online"),
    ReductionOp("log_softmax", "masked_log_softmax", "-inf", _ACT, flops=5, keeps_shape=True, looped="online"),
    ReductionOp("logsumexp", "masked_logsumexp", "-inf", flops=3, looped="online", several=True),
    ReductionOp("var", "masked_var", "0", flops=4, note="correction= / unbiased= honoured", looped="welford", variance=True, several=True),
    ReductionOp("std", "masked_var", "0", flops=5, note="the square root of var", looped="welford", variance=True, root=True, several=True),
    ReductionOp("prod", "product", "1", note="tl.reduce with a multiply", whole=True, widened=True),
    ReductionOp("any", "tl.max", "0", flops=1, note="of x != 0; a bool result", whole=True, several=True, result="bool"),
    ReductionOp("all", "tl.min", "1", flops=1, note="of x != 0; a bool result", whole=True, several=True, result="bool"),
    ReductionOp("nansum", "tl.sum", "0", note="of torch.where(x != x, 0, x)", prepared="tl.where(a != a, 0, a)", whole=True, widened=True, several=True),
    ReductionOp("nanmean", "tl.sum", "0", note="the sum of x's numbers over their count", prepared="tl.where(a != a, 0, a)", counted="(a == a).to(tl.float32)", whole=True, looped="sums", divided=True, several=True),
    ReductionOp("count_nonzero", "tl.sum", "0", note="of (x != 0) as int64", prepared="(a != 0).to(tl.int64)", whole=True, several=True, result="int64"),
    ReductionOp("softmin", "masked_softmax", "-inf", (FUNCTIONAL,), 5, keeps_shape=True, note="of -x", prepared="-a"),
    ReductionOp("cumsum", "tl.cumsum", "0", keeps_shape=True, note="also hl.cumsum", widened=True, scan=True),
    ReductionOp("cumprod", "tl.cumprod", "1", keeps_shape=True, note="also hl.cumprod", widened=True, scan=True),
)  # fmt: skip

ELEMENTWISE_BY_NAME = {op.name: op for op in ELEMENTWISE}
REDUCTIONS_BY_NAME = {op.name: op for op in REDUCTIONS}
# torch ops returning a pair of reductions of one block: op → (the two reductions in its order,
# the named tuple's field names: none for a plain tuple)
PAIRED_REDUCTIONS: dict[str, tuple[tuple[str, str], tuple[str, ...]]] = {
    "var_mean": (("var", "mean"), ()),
    "aminmax": (("amin", "amax"), ("min", "max")),
}

# Python operators on device values: libcst operator name → (symbol, Triton template, helpers).
BINARY_OPERATORS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Add": ("+", "a + b", ()),
    "Subtract": ("-", "a - b", ()),
    "Multiply": ("*", "a * b", ()),
    "Divide": ("/", "a / b", ()),
    "FloorDivide": ("//", "floor_divide(a, b)", ("floor_divide",)),
    "Modulo": ("%", "remainder(a, b)", ("remainder",)),
    "Power": ("**", "power(a, b)", ("power",)),
    "BitAnd": ("&", "a & b", ()),
    "BitOr": ("|", "a | b", ()),
    "BitXor": ("^", "a ^ b", ()),
    "LeftShift": ("<<", "shift_left(a, b)", ("shift_left",)),
    "RightShift": (">>", "shift_right(a, b)", ("shift_right",)),
}

# Shifts Triton computes as torch when the amount is a literal inside every integer width
# (0 to 7): `x << 3` plainly, no helper (a Python int keeps the tensor's dtype in both).
PLAIN_SHIFTS: dict[str, str] = {"LeftShift": "a << b", "RightShift": "a >> b"}
NARROWEST_INTEGER_BITS = 8

# Operators on two bools where torch and Triton's i1 differ: the Triton template torch's result
# needs (two bools' sum is their `or`: Triton's i1 addition wraps, True + True is False on a
# GPU), or None where torch refuses the operator on bools (`-`, `//`, `%`, `**`, shifts, unary
# minus). Bools known only at the launch (loads) are the launcher's to refuse.
BOOL_OPERATORS: dict[str, str | None] = {
    "Add": "a | b",
    "Subtract": None,
    "FloorDivide": None,
    "Modulo": None,
    "Power": None,
    "LeftShift": None,
    "RightShift": None,
    "Minus": None,
}

# Operators Triton computes as torch when one operand is bool and the other an integer or a float
# (the other's dtype wins): a bool tensor loaded there is refused only where the other may be
# bool too. (`/` is not one: Triton refuses an i1 / int32 quotient, their signedness differing.)
BOOL_WITH_OTHERS: frozenset[str] = frozenset({"Add", "Multiply"})

# Operators logical on bools, as in torch (`~`, `&`, `|`, `^` and their torch.bitwise_* calls):
# a bool stays a bool there, no arithmetic for the launcher to refuse.
BITWISE_OPERATORS: frozenset[str] = frozenset({"BitAnd", "BitOr", "BitXor", "BitInvert"})

# Operators torch takes only on integers and bools (float operands refused: lower/
# integer_operators.py), and their torch.bitwise_* rows.
INTEGER_OPERATORS: frozenset[str] = frozenset(
    {"BitAnd", "BitOr", "BitXor", "BitInvert", "LeftShift", "RightShift"}
)

# Operators whose bool operands known while transpiling become float32 first: torch divides
# in float, Triton refuses an i1 / int32 quotient (their signedness differs).
BOOL_AS_FLOAT: frozenset[str] = frozenset({"Divide"})

# torch dtype names → Triton dtypes.
DTYPES: dict[str, str] = {
    "float16": "tl.float16",
    "half": "tl.float16",
    "bfloat16": "tl.bfloat16",
    "float32": "tl.float32",
    "float": "tl.float32",
    "float64": "tl.float64",
    "double": "tl.float64",
    "int8": "tl.int8",
    "int16": "tl.int16",
    "int32": "tl.int32",
    "int": "tl.int32",
    "int64": "tl.int64",
    "long": "tl.int64",
    "uint8": "tl.uint8",
    "bool": "tl.int1",
    # float8 (OCP formats): stored, converted and multiplied natively (tl.dot, sm_89+ / gfx942);
    # torch has no arithmetic on them, so every other operation reads them as float32
    "float8_e4m3fn": "tl.float8e4nv",
    "float8_e5m2": "tl.float8e5",
}
HALF_DTYPES = ("tl.float16", "tl.bfloat16")
FLOAT8_DTYPES = ("tl.float8e4nv", "tl.float8e5")
# dtypes whose values are computed in float32 (`upcast_half`) and rounded back where stored
UPCAST_DTYPES = HALF_DTYPES + FLOAT8_DTYPES

# tensor.float() and friends: method name → torch dtype name.
CAST_METHODS = {
    "float": "float32",
    "half": "float16",
    "bfloat16": "bfloat16",
    "double": "float64",
    "int": "int32",
    "long": "int64",
    "bool": "bool",
}


def known_names() -> list[str]:
    """Every torch name the table accepts, for 'did you mean' hints."""
    names = [op.name for op in ELEMENTWISE] + [op.name for op in REDUCTIONS]
    names += [op.name for op in ORDERING_OPS] + [op.name for op in COMPOSITES]
    return sorted(set(names) | set(CAST_METHODS) | {"to", "unsqueeze", "transpose"})
