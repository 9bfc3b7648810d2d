"""Augmented assignments lowered as torch computes them: `x[tile] //= 3`, `%=`, `**=`, `<<=`,
`>>=` (refused with a written-out hint before 2026-12) and `+=`, `-=`, `*=`, `/=`, `&=`, `|=`,
`^=`, each the update `x[tile] = x[tile] op value` through the expression lowering (torch's
flooring `//` and `%`, its shifts past the width) and stored in the target's dtype, as torch
updates in place. Against torch in float64 where floating: tensors of several dtypes with
negative values, 1-D (301), 2-D tiles (37 x 129) by a scalar argument, an update by a row's
reduction and one of a named block; a float result into an integer tensor refused at the launch,
as torch refuses it; `@=` refused at the user's line."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, device_args, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

import transpiler

N = 301
INTEGERS = (torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64)


def values(dtype, *shape, low=-100, high=100):
    """Random values of `dtype`, both signs where it has them, none all zero."""
    if dtype.is_floating_point:
        return torch.randn(*shape, device=DEVICE).to(dtype) * 20
    if dtype == torch.uint8:
        low = 0
    return torch.randint(low, high, shape, device=DEVICE).to(dtype)


def nonzero(dtype, *shape, low=-9, high=9):
    """Divisors: both signs, never 0."""
    found = values(dtype, *shape, low=low, high=high)
    return torch.where(found == 0, torch.ones_like(found) * 3, found)


def shifts(dtype, *shape):
    """Shift amounts inside and past the widths, negative ones too (torch gives 0 or the sign's
    fill there)."""
    low = 0 if dtype == torch.uint8 else -3
    return torch.randint(low, 70, shape, device=DEVICE).to(dtype)


# operator → (the second operand's maker, dtypes of the tensors, torch's update)
UPDATES = {
    "+=": (values, (*INTEGERS, torch.float32), lambda x, y: x + y),
    "-=": (values, (*INTEGERS, torch.float32), lambda x, y: x - y),
    "*=": (values, (*INTEGERS, torch.float32), lambda x, y: x * y),
    "/=": (nonzero, (torch.float32, torch.float64), lambda x, y: x / y),
    "//=": (nonzero, (*INTEGERS, torch.float32, torch.float64), lambda x, y: x // y),
    "%=": (nonzero, (*INTEGERS, torch.float32, torch.float64), lambda x, y: x % y),
    "**=": (
        lambda dtype, *shape: torch.randint(0, 6, shape, device=DEVICE).to(dtype),
        (torch.int8, torch.int32, torch.int64, torch.float32),
        lambda x, y: x**y,
    ),
    "<<=": (shifts, INTEGERS, lambda x, y: x << y),
    ">>=": (shifts, INTEGERS, lambda x, y: x >> y),
    "&=": (values, (*INTEGERS, torch.bool), lambda x, y: x & y),
    "|=": (values, (*INTEGERS, torch.bool), lambda x, y: x | y),
    "^=": (values, (*INTEGERS, torch.bool), lambda x, y: x ^ y),
}
CASES = [(op, dtype) for op, (_, dtypes, _) in UPDATES.items() for dtype in dtypes]


def _name(case) -> str:
    op, dtype = case
    return f"{op}-{str(dtype).removeprefix('torch.')}"


def _bools(dtype, *shape):
    return torch.rand(*shape, device=DEVICE) > 0.5


def _maker(op, dtype):
    return _bools if dtype == torch.bool else UPDATES[op][0]


ONE_D = "    for tile in hl.tile(x.size(0)):\n        x[tile] OP y[tile]\n    return x\n"


@pytest.mark.parametrize("case", CASES, ids=_name)
def test_an_update_by_a_tensor_computes_as_torch(case):
    op, dtype = case
    make = _maker(op, dtype)
    source = kernel("x: torch.Tensor, y: torch.Tensor", ONE_D.replace("OP", op))
    first = _bools if dtype == torch.bool else values
    assert_computes_as_torch(source, lambda: [first(dtype, N), make(dtype, N)], UPDATES[op][2])


TWO_D = """    m, n = x.size()
    for tm, tn in hl.tile([m, n]):
        x[tm, tn] OP s
    return x
"""
NUMBERS = {
    "//=": (-3, 7, -2.5),
    "%=": (-3, 5, 1.5),
    "<<=": (1, 7, 8, 33, 65, -1),
    ">>=": (2, 7, 8, 31, 64, -2),
    "**=": (0, 2, 3),
    "-=": (-7, 2),
    "*=": (-3,),
    "&=": (-6, 12),
    "|=": (5,),
    "^=": (-1,),
}


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
@pytest.mark.parametrize("op", NUMBERS)
def test_a_2d_update_by_an_int_argument_computes_as_torch(op, dtype):
    """`x[tm, tn] op= s`, s a Python int: torch keeps x's dtype (and its width for shifts)."""
    source = kernel("x: torch.Tensor, s: int", TWO_D.replace("OP", op))
    for number in NUMBERS[op]:
        if isinstance(number, float):
            continue  # a float into an integer tensor: the refusal test below
        x = values(dtype, 37, 129)
        expected = eval(f"lambda x, s: x {op[:-1]} s")(x.cpu(), number)  # noqa: S307
        got = generated(source, "k", x, number)(x.clone(), number)
        assert got.dtype == dtype
        assert torch.equal(got.cpu(), expected), (op, number)


@pytest.mark.parametrize("dtype", [torch.int8, torch.uint8, torch.int16])
@pytest.mark.parametrize("op", NUMBERS)
def test_a_narrow_update_by_a_literal_computes_as_torch(op, dtype):
    """`x[tile] op= 7` into int8 / uint8 / int16: the literal keeps x's dtype and its width, as
    in torch (`x << 8` of int8 is 0 there, `x >> 8` the sign's fill)."""
    for number in NUMBERS[op]:
        if isinstance(number, float) or (dtype == torch.uint8 and number < 0):
            continue  # (torch refuses a negative int beside uint8: it overflows)
        source = kernel(
            "x: torch.Tensor",
            f"    for tile in hl.tile(x.size(0)):\n        x[tile] {op} {number}\n    return x\n",
        )
        assert_computes_as_torch(
            source,
            lambda: [values(dtype, N)],
            eval(f"lambda x: x {op[:-1]} {number}"),  # noqa: S307
        )


@pytest.mark.parametrize("op", ["//=", "%=", "-=", "**=", "/="])
def test_a_2d_float_update_by_a_float_argument_computes_as_torch(op):
    source = kernel("x: torch.Tensor, s: float", TWO_D.replace("OP", op))
    for number in (-2.5, 1.5, 3.0):
        x = values(torch.float32, 37, 129)
        expected = eval(f"lambda x, s: x {op[:-1]} s")(x.double().cpu(), number)  # noqa: S307
        got = generated(source, "k", x, number)(x.clone(), number)
        torch.testing.assert_close(
            got.cpu().double(), expected, equal_nan=True, rtol=1e-5, atol=1e-5
        )


REDUCED = """    out = torch.zeros_like(x[:, 0])
    for tile in hl.tile(x.size(0)):
        out[tile] = y[tile]
        out[tile] OP x[tile, :].amax(-1)
    return out
"""


@pytest.mark.parametrize("op", ["//=", "%=", "<<=", ">>=", "-="])
@pytest.mark.parametrize("dtype", [torch.int32, torch.int64])
def test_an_update_by_a_row_s_reduction_computes_as_torch(op, dtype):
    """`out[tile] op= x[tile, :].amax(-1)`: the row's maximum, negative rows too."""
    source = kernel("x: torch.Tensor, y: torch.Tensor", REDUCED.replace("OP", op))
    if op in ("<<=", ">>="):
        make = lambda: [shifts(dtype, 37, 129) - 60, values(dtype, 37)]  # noqa: E731
    else:
        make = lambda: [nonzero(dtype, 37, 129, low=-90, high=-1), values(dtype, 37)]  # noqa: E731
    truth = eval(f"lambda x, y: y {op[:-1]} x.amax(-1)")  # noqa: S307
    assert_computes_as_torch(source, make, truth)


NAMED = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        block = x[tile] * 3
        block OP y[tile]
        block OP 2
        out[tile] = block
    return out
"""


@pytest.mark.parametrize("op", ["//=", "%=", "<<=", ">>=", "**="])
@pytest.mark.parametrize("dtype", [torch.int16, torch.int64])
def test_an_update_of_a_named_block_computes_as_torch(op, dtype):
    source = kernel("x: torch.Tensor, y: torch.Tensor", NAMED.replace("OP", op))
    make_second = {"<<=": shifts, ">>=": shifts, "**=": lambda d, n: values(d, n, low=0, high=4)}
    second = make_second.get(op, nonzero)
    truth = eval(f"lambda x, y: ((x * 3) {op[:-1]} y) {op[:-1]} 2")  # noqa: S307
    assert_computes_as_torch(
        source, lambda: [values(dtype, N, low=-20, high=20), second(dtype, N)], truth
    )


def test_a_float_update_into_an_integer_tensor_is_refused_at_the_launch():
    """torch refuses `x //= 2.5` of an int tensor (its float result cannot be cast in place):
    so does the launcher."""
    source = kernel("x: torch.Tensor", "    for tile in hl.tile(x.size(0)):\n"
                    "        x[tile] //= 2.5\n    return x\n")  # fmt: skip
    x = values(torch.int32, N)
    with pytest.raises(TypeError, match="cannot cast"):
        generated(source, "k", x)(x)
    with pytest.raises(RuntimeError):
        x.clone().__ifloordiv__(2.5)


def test_an_in_place_matrix_product_is_refused_at_its_line():
    source = kernel(
        "x: torch.Tensor, w: torch.Tensor",
        "    for tile in hl.tile(x.size(0)):\n        acc = x[tile, :]\n        acc @= w\n"
        "        x[tile, :] = acc\n    return x\n",
    )
    assert_refused_at(source, 11, "@=", "'@='", "acc = acc @ w")


POISONED = {  # LLVM folds a shift by the width or more to poison: the GPU stored garbage
    "left_by_a_literal": ("x[tile] <<= 40", lambda x: x << 40),
    "right_by_a_literal": ("x[tile] >>= 33", lambda x: x >> 33),
    "left_of_a_block": ("x[tile] = (x[tile] * 2) << 32", lambda x: (x * 2) << 32),
}


@pytest.mark.parametrize("case", POISONED)
def test_a_shift_past_the_width_compiles_for_sm_90_to_torch_s_answer(case):
    """`x << 40` of int32, raw in Triton, compiles for sm_90 to a store of LLVM's poison (an
    undefined register; the interpreter's numpy gives torch's 0): torch gives 0 (>>: the sign's
    fill), and so does the generated code on both."""
    statement, truth = POISONED[case]
    source = kernel(
        "x: torch.Tensor",
        f"    for tile in hl.tile(x.size(0)):\n        {statement}\n    return x\n",
    )
    built = transpiler.kernels_from_source(source, filename="kernels.py")["k"]
    (result,) = built.bind(device_args((values(torch.int32, N),))).compile_for("sm_90")
    assert "poison" not in result.asm["llir"]
    assert_computes_as_torch(source, lambda: [values(torch.int32, N)], truth)
