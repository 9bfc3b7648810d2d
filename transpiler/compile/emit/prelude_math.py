"""@triton.jit helpers for the op table's math and activations, in plain tl both the GPU and
Triton's CPU interpreter run (no libdevice: the interpreter has none)."""

from __future__ import annotations

Helper = tuple[str, tuple[str, ...]]  # its source, and the helpers it calls


def _whole_already(name: str, spelt: str, function: str) -> Helper:
    """torch.floor / torch.ceil: tl.floor / tl.ceil of floats; integers kept, and their dtype."""
    return (
        f"""@triton.jit
def {name}(x):
    # {spelt}: integers are whole already, and keep their dtype (tl.{function} takes floats)
    if x.dtype.is_floating():
        x = tl.{function}(x)
    return x
""",
        (),
    )


def _number_over_nan(name: str, which: str, comparison: str, spelt: str) -> Helper:
    """torch.fmax / torch.fmin: the larger / smaller, a NaN losing to a number."""
    return (
        f"""@triton.jit
def {name}(a, b):
    # {which}; a NaN loses to a number ({spelt} would keep it)
    return tl.where(a != a, b, tl.where((b != b) | (a {comparison} b), a, b))
""",
        (),
    )


# Each helper: its source, and the helpers it calls (prelude.HELPERS takes them all).
MATH_HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "masked_fill": (
        """@triton.jit
def masked_fill(x, mask, value):  # torch's x.masked_fill(mask, value): value takes x's dtype
    return tl.where(mask, value, x).to(x.dtype)
""",
        (),
    ),
    "erfc": (
        """@triton.jit
def erfc(x):
    # 1 - erf(x) without cancelling to 0 in the tail: a Chebyshev fit of erfc(|x|) (relative
    # error under 1.2e-7), mirrored as 2 - erfc(|x|) for negative x.
    z = tl.abs(x)
    t = 1 / (1 + 0.5 * z)
    poly = t * (-0.82215223 + t * 0.17087277)
    poly = t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + poly)))
    poly = t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + poly)))
    poly = -1.26551223 + t * (1.00002368 + poly)
    tail = t * tl.exp(poly - z * z)
    return tl.where(x >= 0, tail, 2 - tail)
""",
        (),
    ),
    "expm1": (
        """@triton.jit
def expm1(x):
    # exp(x) - 1 accurate near 0 (Kahan's trick: exp's rounding divided out by log(exp(x)))
    u = tl.exp(x)
    near = (u - 1) * x / tl.log(u)
    near = tl.where(u == float("inf"), u, near)
    return tl.where(u == 1, x, tl.where(u - 1 == -1, -1.0, near))
""",
        (),
    ),
    "log1p": (
        """@triton.jit
def log1p(x):
    # log(1 + x) accurate near 0 (Kahan's trick: the rounding of 1 + x divided out)
    u = 1 + x
    near = tl.log(u) * x / (u - 1)
    return tl.where(u == 1, x, tl.where(u == float("inf"), u, near))
""",
        (),
    ),
    "atan": (
        """@triton.jit
def atan(x):
    # |x| reduced around 0, pi/4 or pi/2 to below tan(pi/8), then a short odd polynomial
    # (Cephes' atanf, relative error about 1e-7); the sign put back.
    z = tl.abs(x)
    big = z > 2.414213562373095
    mid = z > 0.4142135623730950
    base = tl.where(big, 1.5707963267948966, tl.where(mid, 0.7853981633974483, 0.0))
    t = tl.where(big, -1 / z, tl.where(mid, (z - 1) / (z + 1), z))
    t2 = t * t
    poly = ((8.05374449538e-2 * t2 - 1.38776856032e-1) * t2 + 1.99777106478e-1) * t2
    result = base + (poly - 3.33329491539e-1) * t2 * t + t
    return tl.where(x < 0, -result, tl.where(x == 0, x, result))  # f(-0.0) is -0.0
""",
        (),
    ),
    "atan2": (
        """@triton.jit
def atan2(y, x):
    # The angle of the point (x, y): atan of the smaller magnitude over the larger (two
    # infinities: 1), moved to its octant. NaN in either gives NaN.
    ay = tl.abs(y)
    ax = tl.abs(x)
    small = tl.where(ax < ay, ax, ay)
    large = tl.where(ax < ay, ay, ax)
    ratio = tl.where(small == large, tl.where(large == 0, 0.0, 1.0), small / large)
    angle = atan(ratio)
    angle = tl.where(ay > ax, 1.5707963267948966 - angle, angle)
    # the signs of zeros count, as in C's atan2 (atan2(-0.0, -1) is -pi); `angle * -1`, as
    # Triton's unary minus is 0 - angle, which makes -0.0 of 0.0
    angle = tl.where(signbit(x), 3.141592653589793 - angle, angle)
    angle = tl.where(signbit(y), angle * -1, angle)
    return tl.where((x != x) | (y != y), x + y, angle)
""",
        ("atan", "signbit"),
    ),
    "sinh": (
        """@triton.jit
def sinh(x):
    # (e^|x| - e^-|x|) / 2 from e = expm1(|x|), so small x keep their digits; the sign put back
    e = expm1(tl.abs(x))
    result = tl.where(e == float("inf"), e, 0.5 * (e + e / (e + 1)))
    return tl.where(x < 0, -result, tl.where(x == 0, x, result))  # f(-0.0) is -0.0
""",
        ("expm1",),
    ),
    "asinh": (
        """@triton.jit
def asinh(x):
    # log(|x| + sqrt(x^2 + 1)) as log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), accurate near 0;
    # past 1e10, log(2|x|) (x^2 would overflow); the sign put back
    z = tl.abs(x)
    near = log1p(z + z * z / (1 + tl.sqrt(1 + z * z)))
    result = tl.where(z > 1e10, tl.log(z) + 0.6931471805599453, near)
    return tl.where(x < 0, -result, tl.where(x == 0, x, result))  # f(-0.0) is -0.0
""",
        ("log1p",),
    ),
    "lgamma": (
        """@triton.jit
def lgamma(x):
    # log|Gamma(x)|. For x < 0.5 the reflection Gamma(x) Gamma(1 - x) = pi / sin(pi x) moves
    # the work to y = 1 - x; Stirling's series at y + 8 (shifted back by the log of
    # y (y+1) ... (y+7)), or at y itself past 1e6. Poles (0, -1, ...) and infinities give inf.
    y = tl.where(x < 0.5, 1 - x, x)
    far = y > 1e6
    z = tl.where(far, y, y + 8)
    shift = tl.log(y * (y + 1) * (y + 2) * (y + 3)) + tl.log((y + 4) * (y + 5) * (y + 6) * (y + 7))
    inverse = 1 / z
    series = inverse * (1 / 12 - inverse * inverse * (1 / 360 - inverse * inverse / 1260))
    stirling = (z - 0.5) * tl.log(z) - z + 0.9189385332046728 + series
    result = stirling - tl.where(far, 0.0, shift)
    reflected = tl.log(3.141592653589793 / tl.abs(tl.sin(3.141592653589793 * x))) - result
    result = tl.where(x < 0.5, reflected, result)
    pole = (x <= 0) & (x == tl.floor(x))
    return tl.where(pole | (tl.abs(x) == float("inf")), float("inf"), result)
""",
        (),
    ),
    "hypot": (
        """@triton.jit
def hypot(a, b):
    # sqrt(a^2 + b^2) as large * sqrt(1 + (small / large)^2): no square overflows. An infinity
    # wins over NaN, as in C's hypot.
    x = tl.abs(a)
    y = tl.abs(b)
    large = tl.where(x < y, y, x)
    small = tl.where(x < y, x, y)
    ratio = tl.where(large == 0, 0.0, small / large)
    result = large * tl.sqrt(1 + ratio * ratio)
    result = tl.where((x != x) | (y != y), a + b, result)
    return tl.where((x == float("inf")) | (y == float("inf")), float("inf"), result)
""",
        (),
    ),
    "logaddexp": (
        """@triton.jit
def logaddexp(a, b):
    # log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)); equal values (infinities too) give
    # the value + log(2) without computing inf - inf
    high = tl.where(a > b, a, b)
    result = high + log1p(tl.exp(-tl.abs(a - b)))
    return tl.where(a == b, a + 0.6931471805599453, result)
""",
        ("log1p",),
    ),
    "round_down": _whole_already("round_down", "torch.floor", "floor"),
    "round_up": _whole_already("round_up", "torch.ceil", "ceil"),
    "trunc": (
        """@triton.jit
def trunc(x):
    # rounds towards zero; integers are whole already
    if x.dtype.is_floating():
        x = tl.where(x < 0, tl.ceil(x), tl.floor(x))
    return x
""",
        (),
    ),
    "round_half_even": (
        """@triton.jit
def round_half_even(x):
    # torch.round: to the nearest integer, halves to the even neighbour (2.5 -> 2, 3.5 -> 4)
    if x.dtype.is_floating():
        down = tl.floor(x)
        excess = x - down
        down_even = down - 2 * tl.floor(down * 0.5) == 0
        half = tl.where(down_even, down, down + 1)
        rounded = tl.where(excess > 0.5, down + 1, tl.where(excess < 0.5, down, half))
        x = tl.where(rounded == 0, x * 0.0, rounded)  # -0.5 -> -0.0, as torch (zero's sign)
    return x
""",
        (),
    ),
    "nan_to_num": (
        """@triton.jit
def nan_to_num(x, nan, posinf, neginf, dtype: tl.constexpr):
    # NaN becomes `nan`, +-inf `posinf` / `neginf`: by default the largest finite values of
    # `dtype`, the tensor's own (a float16 tensor's inf becomes 65504, as in torch)
    if dtype == tl.float16:
        largest = 65504.0
    elif dtype == tl.bfloat16:
        largest = 3.3895313892515355e38
    elif dtype == tl.float64:
        largest = 1.7976931348623157e308
    else:
        largest = 3.4028234663852886e38
    if x.dtype.is_floating():
        x = tl.where(x != x, nan, x)
        if posinf is None:
            x = tl.where(x == float("inf"), largest, x)
        else:
            x = tl.where(x == float("inf"), posinf, x)
        if neginf is None:
            x = tl.where(x == float("-inf"), -largest, x)
        else:
            x = tl.where(x == float("-inf"), neginf, x)
    return x
""",
        (),
    ),
    "lerp": (
        """@triton.jit
def lerp(start, end, weight):
    # start + weight * (end - start), from the nearer end (torch's form: weight 1 gives end)
    diff = end - start
    return tl.where(tl.abs(weight) < 0.5, start + weight * diff, end - diff * (1 - weight))
""",
        (),
    ),
    "softplus": (
        """@triton.jit
def softplus(x, beta, threshold):
    # log(1 + exp(beta x)) / beta, and x itself where beta x passes the threshold
    scaled = x * beta
    return tl.where(scaled > threshold, x, log1p(tl.exp(scaled)) / beta)
""",
        ("log1p",),
    ),
    "hardsigmoid": (
        """@triton.jit
def hardsigmoid(x):
    # relu6(x + 3) / 6: 0 below -3, 1 above 3, a straight line between
    shifted = tl.maximum(x + 3, 0, propagate_nan=tl.PropagateNan.ALL)
    return tl.minimum(shifted, 6, propagate_nan=tl.PropagateNan.ALL) / 6
""",
        (),
    ),
    "sinc": (
        """@triton.jit
def sinc(x):
    # sin(pi x) / (pi x), and 1 at 0
    angle = 3.141592653589793 * x
    return tl.where(x == 0, 1.0, tl.sin(angle) / angle)
""",
        (),
    ),
    "multiply": (
        """@triton.jit
def multiply(a, b):
    return a * b
""",
        (),
    ),
    "join_promoted": (
        """@triton.jit
def join_promoted(a, b):  # torch.stack promotes its values to one dtype; tl.join takes one
    common: tl.constexpr = a.dtype if a.dtype == b.dtype else (a + b).dtype
    return tl.join(a.to(common), b.to(common))
""",
        (),
    ),
    "promoted_float": (
        """@triton.constexpr_function
def promoted_float(*dtypes):  # torch.promote_types of a float and others (halves: float32)
    return tl.float64 if any(d.is_fp64() for d in dtypes) else tl.float32
""",
        (),
    ),
    "promoted": (
        """@triton.constexpr_function
def promoted(*dtypes):  # torch.promote_types, halves (and float8) as computed here: float32
    floats = [d for d in dtypes if d.is_floating()]
    if floats:
        return tl.float64 if any(d.is_fp64() for d in floats) else tl.float32
    signed = [d.primitive_bitwidth for d in dtypes if d.is_int_signed()]
    unsigned = [d.primitive_bitwidth for d in dtypes if d.is_int_unsigned() and not d.is_bool()]
    if not signed:
        return tl.dtype(f"uint{max(unsigned)}") if unsigned else tl.int1
    if unsigned and max(unsigned) >= max(signed):  # uint8 with int8: int16, as torch
        return tl.dtype(f"int{min(64, 2 * max(unsigned))}")
    return tl.dtype(f"int{max(signed)}")
""",
        (),
    ),
    "beside_zero_dim": (
        """@triton.constexpr_function
def beside_zero_dim(dims, zero):  # torch: a 0-d tensor's dtype wins only from a lower category
    category = [d.is_floating() * 2 + (d.is_int() and not d.is_bool()) for d in (dims, zero)]
    return zero if category[1] > category[0] else dims
""",
        (),
    ),
    "float8_of": (
        """@triton.jit
def float8_of(x, dtype: tl.constexpr):  # x.to(dtype); float64 to float8 through float32, as torch
    return (x.to(tl.float32) if x.dtype == tl.float64 and dtype.is_fp8() else x).to(dtype)
""",
        (),
    ),
    "carried_as": (
        """@triton.jit
def carried_as(x, dtype: tl.constexpr):  # a value carried across a loop keeps its dtype
    return x.to(tl.float32) if dtype.is_fp16() or dtype.is_bf16() or dtype.is_fp8() else x.to(dtype)
""",
        (),
    ),
    "number_carried": (
        """@triton.jit
def number_carried(number, shape: tl.constexpr, dtype: tl.constexpr, integers_as: tl.constexpr):
    # a Python number a loop makes a block of a tensor's values, in torch's dtype for
    # `number + block`: a float tensor's (halves in float32), else integers_as
    target: tl.constexpr = dtype if dtype.is_floating() else integers_as
    start = tl.zeros(shape, tl.float64 if target.is_floating() else target) + number
    return carried_as(start, target)
""",
        ("carried_as",),
    ),
    "int64_if_integer": (
        """@triton.jit
def int64_if_integer(x):  # torch sums and multiplies integers in int64 (Triton: int32, wrapping)
    return x.to(tl.int64) if x.dtype.is_int() else x
""",
        (),
    ),
    "sum_middle": (
        """@triton.jit
def sum_middle(x, keep_dims: tl.constexpr = False):
    # tl.sum(x, axis=1) of a 3-D x, taken along the last axis of its permute: Triton would make
    # `tl.sum(a[:, :, None] * b[None, :, :], axis=1)` a tl.dot, in TF32 for float32 (torch: not)
    total = tl.sum(tl.permute(x, (0, 2, 1)), axis=2)
    return tl.expand_dims(total, 1) if keep_dims else total
""",
        (),
    ),
    "product": (
        """@triton.jit
def product(x, axis: tl.constexpr = None, keep_dims: tl.constexpr = False):
    # the product along `axis` (torch.prod; None: of every element): tl.reduce with a multiply
    return tl.reduce(x, axis, multiply, keep_dims=keep_dims)
""",
        ("multiply",),
    ),
    "fmax": _number_over_nan("fmax", "the larger", ">", "torch.maximum"),
    "fmin": _number_over_nan("fmin", "the smaller", "<", "torch.minimum"),
    "signbit": (
        """@triton.jit
def signbit(x):
    # the sign bit itself: set for -0.0 and for a NaN whose sign is negative, as torch reads it
    if x.dtype == tl.float64:
        bits = x.to(tl.int64, bitcast=True)
    else:
        bits = x.to(tl.float32).to(tl.int32, bitcast=True)
    return bits < 0
""",
        (),
    ),
    "copysign": (
        """@triton.jit
def copysign(a, b):
    # |a| with the sign bit of b (-0.0's and a NaN's too). b may be a number: `b - zero` makes
    # it a block and keeps -0.0 negative (`b + zero` would give +0.0); `magnitude * -1`, as
    # Triton's unary minus is 0 - x, which gives +0.0 for a zero
    zero = tl.zeros_like(a + b)
    magnitude = tl.abs(a + zero)
    return tl.where(signbit(b - zero), magnitude * -1, magnitude)
""",
        ("signbit",),
    ),
    "negate": (
        """@triton.jit
def negate(x):
    # -x as torch computes it: Triton's unary minus is 0 - x, and 0 - (+0.0) is +0.0
    if x.dtype.is_floating():
        return x * -1
    return -x
""",
        (),
    ),
    "negative_zero": (
        """@triton.jit
def negative_zero():
    # -0.0 by its bits: Triton reads a literal -0.0 as 0.0 (a literal equal to 0 becomes 0)
    return tl.full([], -2147483648, tl.int32).to(tl.float32, bitcast=True)
""",
        (),
    ),
    "shift_left": (
        """@triton.jit
def shift_left(a, b):
    # torch's <<, in the operands' common dtype: a shift by its width or more, or by a negative
    # amount, gives 0 (Triton's shift, as the hardware's, is undefined there)
    zero = tl.zeros_like(a + b)
    b = b + zero
    inside = (b >= 0) & (b < zero.dtype.primitive_bitwidth)
    return tl.where(inside, (a + zero) << tl.where(inside, b, 0), zero)
""",
        (),
    ),
    "shift_right": (
        """@triton.jit
def shift_right(a, b):
    # torch's >>, in the operands' common dtype (arithmetic for signed integers): a shift by its
    # width or more, or by a negative amount, gives the sign's fill, -1 or 0
    zero = tl.zeros_like(a + b)
    a = a + zero
    b = b + zero
    inside = (b >= 0) & (b < zero.dtype.primitive_bitwidth)
    return tl.where(inside, a >> tl.where(inside, b, 0), tl.where(a < 0, zero - 1, zero))
""",
        (),
    ),
    "finfo_eps": (
        """@triton.jit
def finfo_eps(x):  # torch.finfo(dtype).eps of the dtype x is computed in (F.rms_norm's eps=None)
    return 2.220446049250313e-16 if x.dtype == tl.float64 else 1.1920928955078125e-07
""",
        (),
    ),
}
