"""Op-table rows for torch's pointwise math and torch.nn.functional's activations."""

from __future__ import annotations

from .kinds import FUNCTIONAL, MATH, ElementwiseOp

_F = (FUNCTIONAL,)
_PROPAGATE = "propagate_nan=tl.PropagateNan.ALL"  # NaN stays NaN through maximum / minimum


def _float(name: str, template: str, helpers: tuple[str, ...] = (), flops: int = 1, **rest):
    """A math function of floats: integer and bool operands become float32, as in torch."""
    spellings = rest.pop("spellings", MATH)
    return ElementwiseOp(
        name, template, spellings, helpers, flops, float_args=True, result="float", **rest
    )


def _bool(name: str, template: str, **rest) -> ElementwiseOp:
    """A predicate: its result is bool, whatever its operands' dtype."""
    return ElementwiseOp(name, template, MATH, flops=rest.pop("flops", 1), result="bool", **rest)


POINTWISE_MATH: tuple[ElementwiseOp, ...] = (
    _float("erf", "tl.erf(a)", flops=1),
    _float("erfc", "erfc(a)", ("erfc",), flops=20),
    _float("expm1", "expm1(a)", ("expm1",), flops=4),
    _float("log1p", "log1p(a)", ("log1p",), flops=4),
    _float("log10", "tl.log2(a) * 0.30102999566398120", flops=2),
    _float("tan", "tl.sin(a) / tl.cos(a)", flops=3),
    _float("atan", "atan(a)", ("atan",), flops=12),
    _float("asin", "atan2(a, tl.sqrt((1 - a) * (1 + a)))", ("atan2",), flops=18),
    _float("acos", "atan2(tl.sqrt((1 - a) * (1 + a)), a)", ("atan2",), flops=18),
    _float("atan2", "atan2(a, b)", ("atan2",), 16, note="also torch.arctan2", takes_integers=True),
    _float("sinh", "sinh(a)", ("sinh",), flops=6),
    _float("cosh", "(tl.exp(a) + tl.exp(-a)) * 0.5", flops=4),
    _float("asinh", "asinh(a)", ("asinh",), flops=6),
    _float("acosh", "tl.log(a + tl.sqrt((a - 1) * (a + 1)))", flops=5),
    _float("atanh", "0.5 * log1p(2 * a / (1 - a))", ("log1p",), flops=7),
    _float("lgamma", "lgamma(a)", ("lgamma",), flops=40),
    _float("reciprocal", "1 / a", flops=1, takes_integers=True),
    _float("hypot", "hypot(a, b)", ("hypot",), flops=6),
    _float("logaddexp", "logaddexp(a, b)", ("logaddexp", "log1p"), flops=8),
    _float(
        "xlogy",
        "tl.where(b != b, b, tl.where(a == 0, 0.0, a * tl.log(b)))",
        flops=3,
        note="0 where a is 0, unless b is NaN",
    ),
    _float(
        "copysign",
        "copysign(a, b)",
        ("copysign", "signbit"),
        flops=2,
        note="the sign bit of -0.0 and of NaN honoured, as torch",
        sign_of=1,
    ),
    ElementwiseOp("trunc", "trunc(a)", MATH, ("trunc",), note="integers stay integers"),
    ElementwiseOp("frac", "a - trunc(a)", MATH, ("trunc",), flops=2),
    ElementwiseOp(
        "round",
        "round_half_even(a)",
        MATH,
        ("round_half_even",),
        flops=4,
        note="halves to even, as torch; decimals= refused: write torch.round(x * 10**d) / 10**d",
    ),
    ElementwiseOp(
        "sign", "(a > 0).to(a.dtype) - (a < 0).to(a.dtype)", MATH, flops=2, note="sign(NaN) is 0"
    ),
    ElementwiseOp("sgn", "(a > 0).to(a.dtype) - (a < 0).to(a.dtype)", MATH, flops=2),
    _bool("isnan", "a != a", flops=0),
    _bool("signbit", "signbit(as_float(a))", helpers=("signbit", "as_float"), flops=1),
    _bool("isinf", 'tl.abs(a) == float("inf")'),
    _bool("isposinf", 'a == float("inf")', flops=0),
    _bool("isneginf", 'a == float("-inf")', flops=0),
    _bool("isfinite", '(a == a) & (tl.abs(a) != float("inf"))', flops=2),
    _bool("logical_and", "(a != 0) & (b != 0)", flops=0),
    _bool("logical_or", "(a != 0) | (b != 0)", flops=0),
    _bool("logical_xor", "(a != 0) ^ (b != 0)", flops=0),
    ElementwiseOp(
        "nan_to_num",
        "nan_to_num(a, nan, posinf, neginf, dtype)",
        MATH,
        ("nan_to_num",),
        flops=2,
        scalars=(("nan", "0.0"), ("posinf", "None"), ("neginf", "None")),
        note="±inf become the loaded tensor's largest finite values unless posinf= / neginf=",
    ),
    ElementwiseOp(
        "remainder", "remainder(a, b)", MATH, ("remainder",), flops=2, note="the divisor's sign"
    ),
    ElementwiseOp(
        "fmod", "fmod(a, b)", MATH, ("fmod",), flops=1, note="the dividend's sign (C's fmod)"
    ),
    ElementwiseOp(
        "floor_divide", "floor_divide(a, b)", MATH, ("floor_divide",), flops=2, note="rounds down"
    ),
    ElementwiseOp(
        "bitwise_not", "~a", MATH, flops=1, operator="BitInvert", note="integers and bool"
    ),
    ElementwiseOp(
        "bitwise_and", "a & b", MATH, flops=1, operator="BitAnd", note="integers and bool"
    ),
    ElementwiseOp("bitwise_or", "a | b", MATH, flops=1, operator="BitOr", note="integers and bool"),
    ElementwiseOp(
        "bitwise_xor", "a ^ b", MATH, flops=1, operator="BitXor", note="integers and bool"
    ),
    ElementwiseOp(
        "bitwise_left_shift",
        "shift_left(a, b)",
        MATH,
        ("shift_left",),
        operator="LeftShift",
        note="as x << n: 0 past the width, as torch",
    ),
    ElementwiseOp(
        "bitwise_right_shift",
        "shift_right(a, b)",
        MATH,
        ("shift_right",),
        operator="RightShift",
        note="as x >> n: the sign's fill past the width, as torch",
    ),
    ElementwiseOp("clamp_min", f"tl.maximum(a, b, {_PROPAGATE})", MATH),
    ElementwiseOp("clamp_max", f"tl.minimum(a, b, {_PROPAGATE})", MATH),
    ElementwiseOp("lerp", "lerp(a, b, c)", MATH, ("lerp",), flops=3, note="torch's two-sided form"),
    ElementwiseOp("addcmul", "a + value * b * c", MATH, flops=3, scalars=(("value", "1"),)),
    ElementwiseOp("addcdiv", "a + value * b / c", MATH, flops=3, scalars=(("value", "1"),)),
)

ACTIVATIONS: tuple[ElementwiseOp, ...] = (
    _float(
        "softplus",
        "softplus(a, beta, threshold)",
        ("softplus", "log1p"),
        flops=6,
        spellings=_F,
        scalars=(("beta", "1.0"), ("threshold", "20.0")),
    ),
    _float(
        "elu",
        "tl.where(a > 0, a, alpha * expm1(a))",
        ("expm1",),
        flops=5,
        spellings=_F,
        scalars=(("alpha", "1.0"),),
    ),
    _float(
        "selu",
        "1.0507009873554805 * tl.where(a > 0, a, 1.6732632423543772 * expm1(a))",
        ("expm1",),
        flops=6,
        spellings=(*MATH[:1], FUNCTIONAL),
    ),
    _float(
        "celu",
        "tl.where(a > 0, a, alpha * expm1(a / alpha))",
        ("expm1",),
        flops=6,
        spellings=(*MATH[:1], FUNCTIONAL),
        scalars=(("alpha", "1.0"),),
    ),
    _float(
        "leaky_relu",
        "tl.where(a > 0, a, a * negative_slope)",
        flops=2,
        spellings=_F,
        scalars=(("negative_slope", "0.01"),),
    ),
    _float("hardswish", "a * hardsigmoid(a)", ("hardsigmoid",), flops=5, spellings=_F),
    _float("hardsigmoid", "hardsigmoid(a)", ("hardsigmoid",), flops=4, spellings=_F),
    ElementwiseOp(
        "hardtanh",
        f"tl.minimum(tl.maximum(a, min_val, {_PROPAGATE}), max_val, {_PROPAGATE})",
        _F,
        flops=2,
        scalars=(("min_val", "-1.0"), ("max_val", "1.0")),
    ),
    ElementwiseOp(
        "relu6", f"tl.minimum(tl.maximum(a, 0, {_PROPAGATE}), 6, {_PROPAGATE})", _F, flops=2
    ),
    _float(
        "logsigmoid", "tl.minimum(a, 0) - log1p(tl.exp(-tl.abs(a)))", ("log1p",), 6, spellings=_F
    ),
    _float(
        "mish", "a * tanh(softplus(a, 1.0, 20.0))", ("tanh", "softplus", "log1p"), 12, spellings=_F
    ),
    _float("softsign", "a / (1 + tl.abs(a))", flops=3, spellings=_F),
    ElementwiseOp(
        "threshold",
        "tl.where(a <= threshold, value, a)",
        _F,
        flops=1,
        scalars=(("threshold", None), ("value", None)),
    ),
    _float("logit", "tl.log(a / (1 - a))", flops=3, note="eps= refused: clamp first"),
    _float("sinc", "sinc(a)", ("sinc",), flops=5),
    ElementwiseOp("positive", "a", MATH, flops=0),
    ElementwiseOp("fmax", "fmax(a, b)", MATH, ("fmax",), flops=1, note="NaN loses"),
    ElementwiseOp("fmin", "fmin(a, b)", MATH, ("fmin",), flops=1, note="NaN loses"),
    _float("tanhshrink", "a - tanh(a)", ("tanh",), flops=6, spellings=_F),
    _float(
        "softshrink",
        "tl.where(a > lambd, a - lambd, tl.where(a < -lambd, a + lambd, a * 0))",
        flops=2,
        spellings=_F,
        scalars=(("lambd", "0.5"),),
    ),
    _float(
        "hardshrink",
        "tl.where((a > lambd) | (a < -lambd), a, a * 0)",
        flops=2,
        spellings=_F,
        scalars=(("lambd", "0.5"),),
    ),
)


# Python's math functions inside a device loop: name → (the torch op computing it on a scalar
# of the device, in float32; None: only of numbers known while transpiling, the number of
# arguments). math.floor / ceil / trunc give Python ints, torch's give floats: folded only.
# torch.div(a, b, rounding_mode=...): the row each mode lowers as (None: true division, `div`)
ROUNDED_DIVISIONS: dict[str, ElementwiseOp] = {
    "floor": next(op for op in POINTWISE_MATH if op.name == "floor_divide"),
    "trunc": ElementwiseOp(
        "div", "trunc_divide(a, b)", (), ("trunc_divide",), flops=2, note="rounds towards 0"
    ),
}

MATH_FUNCTIONS: dict[str, tuple[str | None, int]] = {
    **{
        name: (name, 1)
        for name in (
            "sqrt",
            "exp",
            "exp2",
            "expm1",
            "log",
            "log2",
            "log10",
            "log1p",
            "sin",
            "cos",
            "tan",
            "tanh",
            "sinh",
            "cosh",
            "asin",
            "acos",
            "atan",
            "asinh",
            "acosh",
            "atanh",
            "erf",
            "erfc",
            "lgamma",
        )
    },  # fmt: skip
    "fabs": ("abs", 1),
    "pow": ("pow", 2),
    "atan2": ("atan2", 2),
    "hypot": ("hypot", 2),
    "copysign": ("copysign", 2),
    "fmod": ("fmod", 2),
    "floor": (None, 1),
    "ceil": (None, 1),
    "trunc": (None, 1),
    "radians": (None, 1),
    "degrees": (None, 1),
    "isqrt": (None, 1),
    "gcd": (None, 2),
    "factorial": (None, 1),
}
