"""Small @triton.jit helpers that generated modules include when their kernels use them."""

from __future__ import annotations

from ...distributed.host_helpers import HOST_HELPERS as DISTRIBUTED_HOST_HELPERS
from .prelude_extremes import EXTREME_HELPERS
from .prelude_math import MATH_HELPERS
from .prelude_orderings import ORDERING_HELPERS
from .prelude_products import PRODUCT_HELPERS
from .tensor_checks import check_tensors_source

# Each helper: its source, and the helpers it calls. Kept as plain Triton a reader can follow.
HELPERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "upcast_half": (
        """@triton.jit
def upcast_half(x):  # torch computes float16 / bfloat16 (float8) arithmetic in float32; so do we
    return x.to(tl.float32) if x.dtype.is_fp16() or x.dtype.is_bf16() or x.dtype.is_fp8() else x
""",
        (),
    ),
    "as_float": (
        """@triton.jit
def as_float(x):  # math functions take floats: integers and booleans become float32, as in torch
    return x if x.dtype.is_floating() else x.to(tl.float32)
""",
        (),
    ),
    "floor_divide": (
        """@triton.jit
def floor_divide(a, b):
    # Python's // rounds towards minus infinity; Triton's integer // truncates. Both operands
    # first take their common dtype (Triton's // refuses uint8 with a signed int; torch divides
    # in the signed one): `- zero`, as `+ zero` would make -0.0 positive (-1 // -0.0 is inf)
    zero = tl.zeros_like(a + b)
    a = a - zero
    b = b - zero
    if zero.dtype.is_floating():  # torch's floor division of floats (Triton's // is integer)
        modulus = a % b
        quotient = (a - modulus) / b
        quotient = tl.where((modulus != 0) & ((b < 0) != (modulus < 0)), quotient - 1, quotient)
        rounded = tl.floor(quotient)
        rounded = tl.where(quotient - rounded > 0.5, rounded + 1, rounded)
        quotient = tl.where(b == 0, a / b, tl.where(quotient == 0, 0.0 * (a / b), rounded))
    else:
        quotient = a // b
        remainder = a - quotient * b
        quotient = tl.where((remainder != 0) & ((remainder < 0) != (b < 0)), quotient - 1, quotient)
    return quotient
""",
        (),
    ),
    "trunc_divide": (
        """@triton.jit
def trunc_divide(a, b):
    # torch.div(a, b, rounding_mode="trunc"): the quotient rounded towards zero, in the
    # operands' common dtype (`- zero` keeps -0.0); Triton's integer // truncates already
    zero = tl.zeros_like(a + b)
    a = a - zero
    b = b - zero
    if zero.dtype.is_floating():
        quotient = trunc(a / b)
    else:
        quotient = a // b
    return quotient
""",
        ("trunc",),
    ),
    "fmod": (
        """@triton.jit
def fmod(a, b):
    # C's fmod, as torch.fmod: the sign of the dividend. Both operands first take their common
    # dtype, as in floor_divide (-0.0 kept negative)
    zero = tl.zeros_like(a + b)
    a = a - zero
    result = a % (b - zero)
    if zero.dtype.is_floating():
        # a zero takes the dividend's sign and an infinite dividend gives nan, as C's fmod
        # does (a GPU's frem may drop the sign, and gave -inf for fmod(-inf, inf))
        result = tl.where(result == 0, a * 0, result)
        result = tl.where(tl.abs(a) == float("inf"), float("nan"), result)
    return result
""",
        (),
    ),
    "remainder": (
        """@triton.jit
def remainder(a, b):
    # Python's % takes the sign of the divisor; C's fmod (Triton's %) the sign of the dividend
    result = fmod(a, b)
    return tl.where((result != 0) & ((result < 0) != (b < 0)), result + b, result)
""",
        ("fmod",),
    ),
    "power": (
        """@triton.jit
def power(base, exponent):
    # base ** exponent as torch computes it. Both operands first take their common shape and
    # dtype (zeros_like reads no values, so an inf never turns into a nan here; `- zero` keeps
    # -0.0 negative, where `+ zero` would not).
    zero = tl.zeros_like(base + exponent)
    base = base - zero
    exponent = exponent - zero
    if zero.dtype.is_floating():
        # through exp2 / log2, with C's pow at the edges (torch's too): x ** 0 and 1 ** y are 1
        # (nan and inf too; -1 ** inf is 1); an odd integer exponent keeps the base's sign
        # bit (-0.0 ** -1 is -inf, -inf ** 3 is -inf); a finite negative base to a fractional
        # power is nan (-0.0 and -inf take it: -inf ** 0.5 is inf). `* -1`, as Triton's unary
        # minus is 0 - x, which makes -0.0 of no zero
        magnitude = tl.exp2(exponent * tl.log2(tl.abs(base)))
        magnitude = tl.where((tl.abs(base) == 1) & (exponent == exponent), 1.0, magnitude)
        whole = exponent == tl.floor(exponent)
        odd = tl.abs(exponent % 2) == 1
        negative = (base < 0) | (1 / base < 0)  # -0.0 too: 1 / -0.0 is -inf
        result = tl.where(negative & odd, magnitude * -1, magnitude)
        fractional = (base < 0) & (base > float("-inf")) & (exponent == exponent) & ~whole
        result = tl.where(fractional, float("nan"), result)
        result = tl.where((exponent == 0) | (base == 1), 1.0, result)
    else:
        # integers exactly, by squaring, wrapping as torch's integers do; a negative exponent
        # gives 1 for a base of 1, +-1 for -1 and 0 otherwise, as in torch
        result = zero + 1
        square = base
        bits = exponent
        for _ in range(64):
            result = tl.where((bits & 1) != 0, result * square, result)
            square = square * square
            bits = bits >> 1
        odd = (exponent & 1) != 0
        unit = tl.where(base == 1, 1, tl.where(base == -1, tl.where(odd, -1, 1), 0))
        result = tl.where(exponent < 0, unit, result)
    return result
""",
        (),
    ),
    "tanh": (
        """@triton.jit
def tanh(x):
    # tanh(|x|), the sign put back (tanh(+-0.0) is x itself). 2 * sigmoid(2x) - 1 loses the
    # digits of a small x (tanh(1e-5) came out 3% off): below |x| = 0.25 float32 takes tanh's
    # series to x^9 (its next term is under 1e-8 of x there), above it 1 - 2 / (e^2|x| + 1);
    # float64 takes e / (e + 2) with e = expm1(2|x|), 1 once e overflows
    z = tl.abs(x)
    if x.dtype == tl.float64:
        e = expm1(2 * z)
        result = tl.where(e == float("inf"), 1.0, e / (e + 2))
    else:
        z2 = z * z
        series = -0.05396825396825397 + z2 * 0.021869488536155203
        series = z + z * z2 * (-0.3333333333333333 + z2 * (0.13333333333333333 + z2 * series))
        result = tl.where(z < 0.25, series, 1 - 2 / (tl.exp(2 * z) + 1))
    return tl.where(x < 0, -result, tl.where(x == 0, x, result))
""",
        ("expm1",),
    ),
    "silu": (
        """@triton.jit
def silu(x):
    return x * tl.sigmoid(x)
""",
        (),
    ),
    "gelu": (
        """@triton.jit
def gelu(x):
    # The exact GELU: x * Phi(x), with Phi from erf.
    return 0.5 * x * (1 + tl.erf(x * 0.7071067811865476))
""",
        (),
    ),
    "gelu_tanh": (
        """@triton.jit
def gelu_tanh(x):
    # GELU's tanh approximation (torch's approximate="tanh").
    inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    return 0.5 * x * (1 + tanh(inner))
""",
        ("tanh",),
    ),
    "fill_lowest": (
        """@triton.jit
def fill_lowest(x, mask):  # lanes outside the tensor: the smallest value of x's type
    lowest = float("-inf") if x.dtype.is_floating() else x.dtype.get_int_min_value()
    return tl.where(mask, x, lowest)  # which a max ignores
""",
        (),
    ),
    "fill_highest": (
        """@triton.jit
def fill_highest(x, mask):  # lanes outside the tensor: the largest value of x's type
    highest = float("inf") if x.dtype.is_floating() else x.dtype.get_int_max_value()
    return tl.where(mask, x, highest)  # which a min ignores
""",
        (),
    ),
    "masked_softmax": (
        """@triton.jit
def masked_softmax(x, mask, axis: tl.constexpr):
    # softmax along `axis`, ignoring the lanes outside the tensor (mask False).
    x = tl.where(mask, x, float("-inf"))
    numerator = tl.exp(x - tl.max(x, axis=axis, keep_dims=True))
    return numerator / tl.sum(numerator, axis=axis, keep_dims=True)
""",
        (),
    ),
    "masked_logsumexp": (
        """@triton.jit
def masked_logsumexp(x, mask, axis: tl.constexpr, keep_dims: tl.constexpr):
    # log(sum(exp(x))) along axis, less its maximum (0 where infinite: a -inf row gives -inf)
    x = tl.where(mask, x, float("-inf"))
    x_max = tl.max(x, axis=axis, keep_dims=True)
    x_max = tl.where(tl.abs(x_max) == float("inf"), 0.0, x_max)
    total = tl.sum(tl.exp(x - x_max), axis=axis, keep_dims=True)
    result = x_max + tl.log(total)
    if not keep_dims:
        result = tl.reshape(result, tl.max(x, axis=axis).shape)
    return result
""",
        (),
    ),
    "masked_log_softmax": (
        """@triton.jit
def masked_log_softmax(x, mask, axis: tl.constexpr):
    # x - logsumexp(x) along `axis`, ignoring the lanes outside the tensor.
    return x - masked_logsumexp(x, mask, axis, True)
""",
        ("masked_logsumexp",),
    ),
    "masked_var": (
        """@triton.jit
def masked_var(x, mask, count, correction, axis: tl.constexpr, keep_dims: tl.constexpr):
    # Two-pass variance along `axis` over the `count` lanes inside the tensor.
    mean = tl.sum(tl.where(mask, x, 0), axis=axis, keep_dims=True) / count
    centered = tl.where(mask, x - mean, 0)
    squares = tl.sum(centered * centered, axis=axis, keep_dims=keep_dims)
    # no degrees of freedom left (one lane, correction 1): NaN as in torch, whatever the rounding
    return tl.where(count > correction, squares / (count - correction), float("nan"))
""",
        (),
    ),
    "welford_combine": (
        """@triton.jit
def welford_combine(mean_a, m2_a, count_a, mean_b, m2_b, count_b):
    # two lanes' (mean, sum of squared deviations, count) as one (Chan et al.)
    count = count_a + count_b
    share_b = tl.where(count == 0.0, 0.0, count_b / tl.maximum(count, 1.0))
    delta = mean_b - mean_a
    return mean_a + delta * share_b, m2_a + m2_b + delta * delta * count_a * share_b, count
""",
        (),
    ),
    "number_as": (
        """@triton.jit
def number_as(number, row_dtype: tl.constexpr):
    # torch compares a Python float with a tensor in the tensor's dtype: 0.3 beside a float16
    # row is float16's 0.30005 (so `x == 0.3` holds where x is 0.3 in float16), then float32;
    # one return: Triton's GPU compiler types every return, taken or not (an int argument)
    if row_dtype.is_floating():
        number = upcast_half(tl.full([], number, tl.float64).to(row_dtype))
    return number
""",
        ("upcast_half",),
    ),
    "zero_dim_as": (
        """@triton.jit
def zero_dim_as(value, row_dtype: tl.constexpr):
    # torch's type promotion: a 0-d tensor meeting a tensor with dimensions of its kind or a
    # higher one (bool < integer < float) takes that tensor's dtype (a float32 scalar beside a
    # float16 row is rounded to float16; an int64 one beside an int32 row wraps to int32)
    if row_dtype.is_floating():
        value = upcast_half(value.to(row_dtype))
    elif not row_dtype.is_int1() and not value.dtype.is_floating():
        value = value.to(row_dtype)
    return value
""",
        ("upcast_half",),
    ),
    "randint_between": (
        """@triton.jit
def randint_between(seed, offsets, low, high):
    # hl.randint: Philox's 32-bit word read as a signed int; its magnitude modulo the range.
    word = tl.randint(seed, offsets).to(tl.int32, bitcast=True).to(tl.int64)
    return (low + tl.abs(word) % (high - low)).to(tl.int32)
""",
        (),
    ),
    **EXTREME_HELPERS,
    **MATH_HELPERS,
    **ORDERING_HELPERS,
    **PRODUCT_HELPERS,
}


# a helper's shorter form → the helper: the short one steps aside where the whole is used too
SHORT_FORMS = {"dot_into_float32": "dot_into"}


def helper_sources(used: set[str]) -> list[str]:
    """The sources of the used helpers and of those they call, each once, callees first."""
    used = {name for name in used if SHORT_FORMS.get(name) not in used}
    ordered: list[str] = []

    def add(name: str) -> None:
        if name in ordered:
            return
        for dependency in HELPERS[name][1]:
            add(dependency)
        ordered.append(name)

    for name in sorted(used):
        add(name)
    return [HELPERS[name][0] for name in ordered]


# Host-side helpers for launchers (plain Python).
HOST_HELPERS: dict[str, str] = {
    "check_tensors": check_tensors_source(),  # its parts: tensor_checks.py
    "require": '''def require(condition: bool, message: str, error: type = RuntimeError) -> None:
    """torch._check, testing a plain bool here (torch._check's first call imports sympy)."""
    if not isinstance(condition, bool):  # symbolic, while torch.compile traces
        (torch._check_type if error is TypeError else torch._check)(condition, lambda: message)
    elif not condition:
        raise error(message)
''',
    "check_view": '''def check_view(tensor: torch.Tensor, *shape, line: int, written: str, **dtype) -> None:
    """`tensor.view(*shape)` (or `dtype=`) as the source line writes it, refused naming that line
    and the fix where the tensor's strides cannot give that view (torch's error names neither)."""
    try:
        tensor.view(*shape, **dtype)
    except RuntimeError as error:
        torch_says = str(error).split(". Use ")[0].rstrip(".")
        raise RuntimeError(
            f"line {line}: {written} of a tensor of sizes {tuple(tensor.shape)} and strides "
            f"{tensor.stride()}: {torch_says}. Write .reshape(...) (it copies where a view "
            "cannot be had) or .contiguous().view(...)"
        ) from None
''',
    "persistent_programs": '''def persistent_programs(tensor: torch.Tensor) -> int:
    """How many programs a persistent kernel launches: one per SM of the tensor's GPU (the CPU
    interpreter: 4, so that each program walks several tiles there too)."""
    if tensor.device.type != "cuda":
        return 4
    return torch.cuda.get_device_properties(tensor.device).multi_processor_count
''',
    "tma_fits": '''def tma_fits(tensor: torch.Tensor, *block: int) -> bool:
    """Whether Hopper's tensor memory accelerator (TMA) can copy `block`-shaped tiles of
    `tensor`: a contiguous last dimension, 16-byte aligned start and rows, at most 256 elements
    along each dimension of a tile and 16 bytes or more along its last."""
    if tensor.device.type == "cuda" and torch.cuda.get_device_capability(tensor.device)[0] < 9:
        return False  # TMA is Hopper's (compute capability 9.0) and later
    if torch._subclasses.fake_tensor.is_fake(tensor):
        return False  # torch.compile tracing: no address yet, and the graph keeps this choice
    size = tensor.element_size()
    return (
        tensor.dtype != torch.bool
        and tensor.stride(-1) == 1
        and tensor.data_ptr() % 16 == 0
        and all(stride * size % 16 == 0 for stride in tensor.stride()[:-1])
        and all(0 < b <= 256 for b in block)
        and block[-1] * size >= 16
    )


def tma_rows_fit(tensor: torch.Tensor, whole: bool, *block: int) -> bool:
    """tma_fits for a tensor whose batch index joins its rows (t[b, i] is row
    b * t.size(1) + i of a 2-D view): rows contiguous across batches, and whole tiles along
    them (`whole`), so that no tile reaches into the next batch's rows."""
    return (
        whole
        and tensor.stride(0) == tensor.size(1) * tensor.stride(1)
        and tma_fits(tensor, 1, *block)
    )


def tma_scratch(size: int, alignment: int, stream: object) -> torch.Tensor:
    """Global memory for the descriptors kernels make with tl.make_tensor_descriptor."""
    return torch.empty(size, dtype=torch.int8, device="cuda")
''',
    "inlined_callable": '''def inlined_callable(function: object, source: str) -> None:
    """The kernel inlines `source`: refuse another callable rather than ignore it.
    Compared as bytecode, with loads of outer names (globals, closure cells) alike."""
    code = getattr(function, "__code__", None)
    if code in _INLINED_CODE:
        return
    compiled = compile(source, "<inlined>", "exec").co_consts
    expected = next(constant for constant in compiled if hasattr(constant, "co_code"))
    if code is None or _steps(code) != _steps(expected):
        raise ValueError(f"this module inlines {source!r}; transpile again for {function!r}")
    _INLINED_CODE.add(code)


def _steps(code: object) -> list[tuple[str, object]]:
    import dis

    steps = []
    for step in dis.get_instructions(code):
        if step.opname in ("RESUME", "COPY_FREE_VARS", "MAKE_CELL", "NOP", "CACHE", "PUSH_NULL"):
            continue
        outer = step.opname in ("LOAD_GLOBAL", "LOAD_DEREF", "LOAD_NAME", "LOAD_CLASSDEREF")
        name = "LOAD_OUTER" if outer else step.opname.replace("LOAD_METHOD", "LOAD_ATTR")
        jump = step.opcode in dis.hasjrel or step.opcode in dis.hasjabs
        steps.append((name, None if jump else step.argval))
    return steps


_INLINED_CODE: set = set()  # code objects already checked
''',
    "closure_value": '''def closure_value(function: object, name: str) -> object:
    """A tensor or number the callable `function` closes over: the kernel takes it too."""
    import inspect

    variables = inspect.getclosurevars(function)
    return {**variables.globals, **variables.nonlocals}[name]
''',
}

# launcher checks of kernels across GPUs (symmetric memory), kept beside their device helpers
HOST_HELPERS.update(DISTRIBUTED_HOST_HELPERS)
