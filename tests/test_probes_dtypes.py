"""User-style probes of dtypes: every pair of ten dtypes, and a tensor with a Python number,
through arithmetic, division, bitwise ops, comparisons, torch.where and torch.maximum gives
torch's values in torch's result dtype, or is refused at the launch, naming the line, where
Triton's integer promotion differs from torch's (uint8 with int8; uint8, or an int outside the
tensor's range, with a Python int; an int argument with int8 / int16); `out[tile] += v` that
torch cannot cast back is refused; and integer corners (floor division and remainder of
negatives, shifts, casts of negatives, abs of int8's minimum, sums of int8 and bool, argmax
ties) match torch."""

from __future__ import annotations

import itertools
import random

import pytest
import torch
from helpers import DEVICE, generated

DTYPES = [
    torch.bool,
    torch.uint8,
    torch.int8,
    torch.int16,
    torch.int32,
    torch.int64,
    torch.float16,
    torch.bfloat16,
    torch.float32,
    torch.float64,
]
FLOATS = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
ALWAYS = [(torch.uint8, torch.int8), (torch.int16, torch.float16), (torch.int8, torch.int32)]


def dtype_pairs(name: str) -> list[tuple[torch.dtype, torch.dtype]]:
    """All 100 pairs on the CPU; on a GPU (a Triton compile per pair) 12 of them, drawn per
    test, with the pairs the launcher refuses among them (gpu_session.sh has minutes)."""
    pairs = list(itertools.product(DTYPES, DTYPES))
    if DEVICE == "cpu":
        return pairs
    return ALWAYS + random.Random(name).sample(pairs, 9)


HEADER = """
import helion
import helion.language as hl
import torch
"""


def binary_kernel(name: str, expression: str, result: str) -> str:
    """`out[tile] = <expression of x[tile] and y[tile]>`, out of dtype `result` (host code)."""
    return f"""
@helion.kernel()
def {name}(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype={result}, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = {expression}
    return out
"""


PROMOTED = "torch.result_type(x, y)"
# (name, the kernel's expression, torch's, the result dtype, whether y may not hold zeros)
BINARY = [
    ("add", "x[tile] + y[tile]", lambda x, y: x + y, PROMOTED, False),
    ("sub", "x[tile] - y[tile]", lambda x, y: x - y, PROMOTED, False),
    ("mul", "x[tile] * y[tile]", lambda x, y: x * y, PROMOTED, False),
    ("floordiv", "x[tile] // y[tile]", lambda x, y: x // y, PROMOTED, True),
    ("mod", "x[tile] % y[tile]", lambda x, y: x % y, PROMOTED, True),
    ("bitand", "x[tile] & y[tile]", lambda x, y: x & y, PROMOTED, False),
    ("bitor", "x[tile] | y[tile]", lambda x, y: x | y, PROMOTED, False),
    ("bitxor", "x[tile] ^ y[tile]", lambda x, y: x ^ y, PROMOTED, False),
    ("less", "x[tile] < y[tile]", lambda x, y: x < y, "torch.bool", False),
    ("equal", "x[tile] == y[tile]", lambda x, y: x == y, "torch.bool", False),
    ("maximum", "torch.maximum(x[tile], y[tile])", torch.maximum, PROMOTED, False),
    (
        "where",
        "torch.where(x[tile] > y[tile], x[tile], y[tile])",
        lambda x, y: torch.where(x > y, x, y),
        PROMOTED,
        False,
    ),
]
SOURCE = HEADER + "".join(binary_kernel(name, e, r) for name, e, _, r, _ in BINARY)


def values(dtype: torch.dtype, n: int, nonzero: bool = False) -> torch.Tensor:
    """Fresh values of `dtype` with its corners (0, the extremes, -1) unless `nonzero`."""
    if dtype == torch.bool:
        return torch.ones(n, dtype=dtype) if nonzero else torch.rand(n) > 0.5
    if dtype.is_floating_point:
        drawn = (torch.randn(n, dtype=torch.float64) * 8).to(dtype)
        return torch.where(drawn == 0, 1.5, drawn).to(dtype)
    info = torch.iinfo(dtype)
    low, high = max(info.min, -300), min(info.max, 300)
    corners = torch.tensor([info.min, info.max, 1, -1 if info.min < 0 else 2], dtype=dtype)
    drawn = torch.cat([corners, torch.randint(low, high + 1, (n - 4,), dtype=dtype)])
    return torch.where(drawn == 0, 3, drawn).to(dtype) if nonzero else drawn


def torch_answer(function, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor | None:
    """torch's result, or None where torch refuses the pair (bool - bool, float & float)."""
    try:
        return function(x, y)
    except (RuntimeError, TypeError):
        return None


def mismatch(actual: torch.Tensor, expected: torch.Tensor) -> str | None:
    """Why `actual` is not torch's `expected` (dtype first, then values), or None."""
    if actual.dtype != expected.dtype:
        return f"dtype {actual.dtype}, torch {expected.dtype}"
    if expected.dtype.is_floating_point:
        loose = expected.dtype in (torch.float16, torch.bfloat16)
        bound = 1e-2 if loose else 1e-6
        close = torch.isclose(actual.double(), expected.double(), rtol=bound, atol=bound)
    else:
        close = actual == expected
    if not bool(close.all()):
        at = int((~close).nonzero()[0])
        return f"[{at}]: {actual[at].item()}, torch {expected[at].item()}"
    return None


WIDE_INTS = (torch.int16, torch.int32, torch.int64)
HALVES = (torch.float16, torch.bfloat16)


def refused_by_launcher(x: torch.dtype, y: torch.dtype) -> bool:
    """Where Triton promotes apart from torch and the launcher refuses (integer_promotion.py):
    uint8 with int8 (torch: int16), an int16 / 32 / 64 with a half dtype (torch rounds the int
    to it first)."""
    pair = {x, y}
    return pair == {torch.uint8, torch.int8} or any(
        {i, h} == pair for i in WIDE_INTS for h in HALVES
    )


@pytest.mark.parametrize(
    "name, expression, function, result, nonzero", BINARY, ids=[row[0] for row in BINARY]
)
def test_every_pair_of_dtypes(name, expression, function, result, nonzero):
    """The op over all 100 pairs: torch's values and dtype, or the launcher's TypeError."""
    kernels = {}
    wrong = []
    for x_dtype, y_dtype in dtype_pairs(name):
        x, y = values(x_dtype, 37), values(y_dtype, 37, nonzero=nonzero)
        if nonzero and y_dtype == torch.bool:
            continue  # (floor division by a bool: torch divides by True only)
        expected = torch_answer(function, x, y)
        if expected is None:
            continue
        key = (x_dtype, y_dtype)
        if name not in kernels:  # (generic over dtypes: one module serves every pair)
            kernels[name] = generated(SOURCE, name, x, y)
        try:
            actual = kernels[name](x, y)
        except TypeError as error:
            if refused_by_launcher(*key) or torch.bool in key and "bool tensor" in str(error):
                continue  # (bool arithmetic: refused, Triton's wraps where torch's promotes)
            wrong.append(f"{key}: refused: {error}")
            continue
        if refused_by_launcher(*key):
            wrong.append(f"{key}: not refused")
            continue
        why = mismatch(actual, expected)
        if why:
            wrong.append(f"{key}: {why}")
    assert not wrong, "\n".join(wrong)


SCALAR_SOURCE = HEADER + "".join(
    f"""
@helion.kernel()
def {name}(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty(x.size(), dtype={result}, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = {expression}
    return out
"""
    for name, expression, result in [
        ("plus_constant", "x[tile] + 3", "torch.result_type(x, 3)"),
        ("times_float", "x[tile] * 1.5", "torch.result_type(x, 1.5)"),
        ("plus_true", "x[tile] + True", "torch.result_type(x, True)"),
        ("and_mask", "x[tile] & 0xFF", "torch.result_type(x, 0xFF)"),
        ("high_nibble", "(x[tile] >> 4) & 0xF", "torch.result_type(x, 0xF)"),
        ("plus_argument", "x[tile] + k", "torch.result_type(x, k)"),
        ("floordiv_argument", "(x[tile] * k) // 3", "torch.result_type(x, k)"),
        ("less_negative", "x[tile] < -1", "torch.bool"),
    ]
)
# (kernel, torch's answer): a tensor of each dtype with a Python number
SCALARS = [
    ("plus_constant", lambda x, k: x + 3),
    ("times_float", lambda x, k: x * 1.5),
    ("plus_true", lambda x, k: x + True),
    ("and_mask", lambda x, k: x & 0xFF),
    ("high_nibble", lambda x, k: (x >> 4) & 0xF),  # int4 unpacking: uint8 with fitting literals
    ("plus_argument", lambda x, k: x + k),
    ("floordiv_argument", lambda x, k: (x * k) // 3),
    ("less_negative", lambda x, k: x < -1),
]


def number_refused(name: str, dtype: torch.dtype) -> bool:
    """Where the launcher refuses a tensor meeting a Python int (integer_promotion.py)."""
    if dtype.is_floating_point or dtype == torch.bool or name in ("times_float", "plus_true"):
        return False
    if dtype == torch.uint8 and name == "less_negative":  # a literal outside 0 .. 255
        return True
    if name in ("plus_argument", "floordiv_argument"):  # an int32 argument: Triton widens
        return dtype in (torch.uint8, torch.int8, torch.int16)
    return name == "and_mask" and dtype == torch.int8


@pytest.mark.parametrize("name, function", SCALARS, ids=[row[0] for row in SCALARS])
def test_a_tensor_with_a_python_number(name, function):
    """Each dtype with an int, a float, a bool literal and an int argument: torch's values and
    dtype (its number wrapped to the tensor's dtype), or refused by the launcher where Triton
    would widen or refuse the number."""
    wrong = []
    for dtype in DTYPES:
        x, k = values(dtype, 37), 11
        expected = torch_answer(lambda a, b: function(a, b), x, k)
        if expected is None:
            continue
        try:
            actual = generated(SCALAR_SOURCE, name, x, k)(x, k)
        except TypeError as error:
            refused = number_refused(name, dtype) or "bool tensor" in str(error)
            if not refused:
                wrong.append(f"{dtype}: refused: {error}")
            continue
        if number_refused(name, dtype):
            wrong.append(f"{dtype}: not refused")
            continue
        why = mismatch(actual, expected)
        if why:
            wrong.append(f"{dtype}: {why}")
    assert not wrong, "\n".join(wrong)


def test_refusals_name_the_line_and_the_fix():
    x = values(torch.int8, 21)
    with pytest.raises(
        TypeError, match=r"line \d+ computes with torch.int8 x and an int: convert x"
    ):
        generated(SCALAR_SOURCE, "and_mask", x, 1)(x, 1)
    a, b = values(torch.uint8, 21), values(torch.int8, 21)
    with pytest.raises(TypeError, match=r"torch.uint8 x meets torch.int8 y \(line \d+\)"):
        generated(SOURCE, "add", a, b)(a, b)


def row_kernel(name: str, statement: str, out: str) -> str:
    """One statement per row tile of a 2-D `x` (m, n known to host code)."""
    return f"""
@helion.kernel()
def {name}(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = {out}
    for tile in hl.tile(m):
        {statement}
    return out
"""


LIKE = "torch.empty_like(x)"
ROW = "torch.empty([m], dtype={}, device=x.device)"
FULL = "torch.empty([m, n], dtype={}, device=x.device)"
# (kernel, its statement, out, inputs, torch's answer): integer corners torch defines
CORNERS = [
    ("floordiv_negatives", "out[tile, :] = x[tile, :] // -3", LIKE, "int32", lambda x: x // -3),
    ("mod_negatives", "out[tile, :] = x[tile, :] % -7", LIKE, "int32", lambda x: x % -7),
    (
        "fmod",
        "out[tile, :] = torch.fmod(x[tile, :], -7)",
        LIKE,
        "int32",
        lambda x: torch.fmod(x, -7),
    ),
    (
        "shifts",
        "out[tile, :] = (x[tile, :] >> 2) + (x[tile, :] << 1)",
        LIKE,
        "int32",
        lambda x: (x >> 2) + (x << 1),
    ),
    ("shift_int8", "out[tile, :] = x[tile, :] >> 3", LIKE, "int8", lambda x: x >> 3),
    (
        "float_to_int8",
        "out[tile, :] = x[tile, :].to(torch.int8)",
        FULL.format("torch.int8"),
        "float_wide",
        lambda x: x.to(torch.int8),
    ),
    (
        "int_to_uint8",
        "out[tile, :] = x[tile, :].to(torch.uint8)",
        FULL.format("torch.uint8"),
        "int32",
        lambda x: x.to(torch.uint8),
    ),
    (
        "int64_to_int32",
        "out[tile, :] = x[tile, :].to(torch.int32)",
        FULL.format("torch.int32"),
        "int64_wide",
        lambda x: x.to(torch.int32),
    ),
    ("abs_int8", "out[tile, :] = torch.abs(x[tile, :])", LIKE, "int8", torch.abs),
    (
        "clamp_int_bounds",
        "out[tile, :] = torch.clamp(x[tile, :], -3, 4)",
        LIKE,
        "float32",
        lambda x: torch.clamp(x, -3, 4),
    ),
    (
        "clamp_float_bounds",
        "out[tile, :] = torch.clamp(x[tile, :], -2.5, 3.5)",
        FULL.format("torch.float32"),
        "int8",
        lambda x: torch.clamp(x, -2.5, 3.5),
    ),
    (
        "where_numbers",
        "out[tile, :] = torch.where(x[tile, :] > 0, 1.5, -2)",
        FULL.format("torch.float32"),
        "float32",
        lambda x: torch.where(x > 0, 1.5, -2),
    ),
    (
        "where_int_number",
        "out[tile, :] = torch.where(x[tile, :] > 0, x[tile, :], -1)",
        LIKE,
        "int8",
        lambda x: torch.where(x > 0, x, -1),
    ),
    (
        "sum_int8",
        "out[tile] = x[tile, :].sum(-1)",
        ROW.format("torch.int64"),
        "int8",
        lambda x: x.sum(-1),
    ),
    (
        "sum_bool",
        "out[tile] = x[tile, :].sum(-1)",
        ROW.format("torch.int64"),
        "bool",
        lambda x: x.sum(-1),
    ),
    (
        "cumsum_bool",
        "out[tile, :] = torch.cumsum(x[tile, :], dim=1)",
        FULL.format("torch.int64"),
        "bool",
        lambda x: torch.cumsum(x, 1),
    ),
    (
        "cumsum_int8",
        "out[tile, :] = torch.cumsum(x[tile, :], dim=1)",
        FULL.format("torch.int64"),
        "int8",
        lambda x: torch.cumsum(x, 1),
    ),
    (
        "argmax_ties",
        "out[tile] = torch.argmax(x[tile, :], dim=1)",
        ROW.format("torch.int64"),
        "ties",
        lambda x: torch.argmax(x, 1),
    ),
    (
        "argmin_ties",
        "out[tile] = torch.argmin(x[tile, :], dim=1)",
        ROW.format("torch.int64"),
        "ties",
        lambda x: torch.argmin(x, 1),
    ),
    (
        "mean_of_floats",
        "out[tile] = x[tile, :].float().mean(-1)",
        ROW.format("torch.float32"),
        "int8",
        lambda x: x.float().mean(-1),
    ),
]
CORNER_SOURCE = HEADER + "".join(row_kernel(name, s, out) for name, s, out, _, _ in CORNERS)


def corner_input(kind: str) -> torch.Tensor:
    shape = (7, 301)
    if kind == "float_wide":
        return torch.randn(shape) * 100  # past int8 (torch wraps as C does)
    if kind == "int64_wide":
        return torch.randint(-(2**40), 2**40, shape)
    if kind == "ties":
        return torch.randint(0, 3, shape).float()
    if kind == "bool":
        return torch.rand(shape) > 0.4
    dtype = getattr(torch, kind)
    if dtype.is_floating_point:
        return torch.randn(shape, dtype=dtype) * 5
    return values(dtype, shape[0] * shape[1]).view(shape)


@pytest.mark.parametrize(
    "name, statement, out, kind, function", CORNERS, ids=[c[0] for c in CORNERS]
)
def test_integer_corners_match_torch(name, statement, out, kind, function):
    x = corner_input(kind)
    actual = generated(CORNER_SOURCE, name, x)(x.clone())
    why = mismatch(actual, function(x))
    assert why is None, why


REFUSED_SOURCE = HEADER + "".join(
    row_kernel(name, statement, out)
    for name, statement, out in [
        ("mean_of_ints", "out[tile] = x[tile, :].mean(-1)", ROW.format("torch.float32")),
        ("var_of_ints", "out[tile] = torch.var(x[tile, :], dim=-1)", ROW.format("torch.float32")),
        ("float_into_int", "out[tile, :] += x[tile, :] * 0.5", FULL.format("torch.int32")),
    ]
)


@pytest.mark.parametrize(
    "name, dtype, words",
    [
        ("mean_of_ints", torch.int32, "torch.mean takes floats, x is torch.int32: pass x.float()"),
        ("var_of_ints", torch.int8, "torch.var takes floats"),
        ("float_into_int", torch.float32, r"out \+= \.\.\. gives a result torch cannot cast"),
    ],
)
def test_what_torch_refuses_is_refused_at_the_launch(name, dtype, words):
    """torch refuses a mean of integers and a float result added into an integer tensor in
    place (a store would truncate it): so does the launcher, naming the line."""
    x = (torch.randn(5, 33) * 9).to(dtype)
    with pytest.raises(TypeError, match=words):
        generated(REFUSED_SOURCE, name, x)(x)


IN_PLACE_SOURCE = (
    HEADER
    + """
@helion.kernel()
def add_into(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        out[tile] += x[tile]
    return out
"""
)


def test_in_place_addition_into_every_dtype():
    """`out[tile] += x[tile]` for all 100 pairs: torch's `out.add_(x)` (computed in the common
    dtype, cast back to out's: int32 into int8 wraps), or refused where torch refuses the cast
    (a float into an integer out) or Triton promotes apart from torch."""
    wrong = []
    launcher = None
    for x_dtype, out_dtype in dtype_pairs("add_into"):
        x, out = values(x_dtype, 29), values(out_dtype, 29)
        expected = torch_answer(lambda o, v: o.clone().add_(v), out, x)
        launcher = launcher or generated(IN_PLACE_SOURCE, "add_into", x, out)
        key = (x_dtype, out_dtype)
        try:
            actual = launcher(x, out.clone())
        except TypeError as error:
            if expected is not None and not (
                refused_by_launcher(*key) or "bool tensor" in str(error)
            ):
                wrong.append(f"{key}: refused: {error}")
            continue
        if expected is None:
            wrong.append(f"{key}: torch refuses, ran")
            continue
        why = mismatch(actual, expected)
        if why:
            wrong.append(f"{key}: {why}")
    assert not wrong, "\n".join(wrong)


FLOAT_ARGUMENT_SOURCE = (
    HEADER
    + """
@helion.kernel()
def scaled(x: torch.Tensor, s: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * s + 1.0
    return out


@helion.kernel()
def shifted(x: torch.Tensor, s) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.where(x[tile] > s, x[tile] - s, s)
    return out


@helion.kernel()
def product_scaled(x: torch.Tensor, y: torch.Tensor, s: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * y[tile] * s
    return out


@helion.kernel()
def scaled_exactly(x: torch.Tensor, s: hl.constexpr) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * s + 1.0
    return out
"""
)


@pytest.mark.parametrize("name", ["scaled", "shifted", "product_scaled"])
def test_a_float64_tensor_with_a_float_argument_is_refused(name):
    """Triton passes a float argument as float32 (0.1 is off by 1.5e-9): a float64 tensor meeting
    one is refused at the launch; a float32 one computes as torch does (torch rounds the number
    to float32 too); an hl.constexpr argument is written into the kernel, exact."""
    x = torch.randn(23, dtype=torch.float64)
    args = (x, x.flip(0)) if name == "product_scaled" else (x,)
    with pytest.raises(TypeError, match=r"line \d+ computes with float64 x and a float argument"):
        generated(FLOAT_ARGUMENT_SOURCE, name, *args, 0.1)(*args, 0.1)
    single = torch.randn(23)
    expected = {
        "scaled": single * 0.1 + 1.0,
        "shifted": torch.where(single > 0.1, single - 0.1, 0.1),
        "product_scaled": single * single.flip(0) * 0.1,
    }
    args = (single, single.flip(0)) if name == "product_scaled" else (single,)
    actual = generated(FLOAT_ARGUMENT_SOURCE, name, *args, 0.1)(*args, 0.1)
    assert mismatch(actual, expected[name]) is None


def test_an_hl_constexpr_float_stays_exact_in_float64():
    x = torch.randn(23, dtype=torch.float64)
    actual = generated(FLOAT_ARGUMENT_SOURCE, "scaled_exactly", x, 0.1)(x, 0.1)
    assert torch.equal(actual, x * 0.1 + 1.0)


PRODUCT_SOURCE = (
    HEADER
    + """
@helion.kernel()
def bf16_int16_product(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = w.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(x[tile_m, tile_k], w[tile_k, tile_n].to(torch.bfloat16), acc=acc)
        out[tile_m, tile_n] = acc
    return out
"""
)


def test_a_bfloat16_product_of_converted_integers():
    """Helion's bf16xint16_gemm shape: Triton's interpreter multiplied bfloat16's stored bits as
    integers (off by 3e11) and cast int16 to bfloat16 bit for bit; both go through torch now."""
    x = torch.randn(37, 70).bfloat16()
    w = torch.randint(-300, 300, (70, 19), dtype=torch.int16)
    actual = generated(PRODUCT_SOURCE, "bf16_int16_product", x, w)(x, w)
    expected = x.double() @ w.bfloat16().double()
    torch.testing.assert_close(actual.double(), expected, rtol=1e-2, atol=1e-1)
