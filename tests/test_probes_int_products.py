"""User-style probes of integer matrix products: int8 tiles into an int32 accumulator
(`hl.dot(..., acc=acc)`, `torch.addmm(acc, ...)`, a row of one) are exact as torch's int32
product; float factors into an integer accumulator are refused at the product's line, and a
tensor that is not int8 is a TypeError at the launch, naming it."""

from __future__ import annotations

import pytest
import torch
from helpers import generated

from transpiler.errors import ShapeError

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def int8_dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.int32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.int32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[1, 16, 32]))
def int8_rows(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.int32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.int32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def int8_scaled(a: torch.Tensor, b: torch.Tensor, sa: torch.Tensor, sb: torch.Tensor):
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.int32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc.float() * sa[tile_m][:, None] * sb[tile_n][None, :]
    return out


@helion.kernel()
def float_into_int(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.int32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.int32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k].float(), b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc
    return out
"""


def int8(*shape: int) -> torch.Tensor:
    return torch.randint(-128, 128, shape, dtype=torch.int8)


# (kernel, arguments, torch's answer): products past int8's and int16's range
CASES = [
    ("int8_dot", lambda: (int8(19, 70), int8(70, 13)), lambda a, b: a.int() @ b.int()),
    ("int8_dot", lambda: (int8(70, 19).t(), int8(13, 70).t()), lambda a, b: a.int() @ b.int()),
    ("int8_rows", lambda: (int8(5, 33), int8(33, 7)), lambda a, b: a.int() @ b.int()),
    (
        "int8_scaled",
        lambda: (int8(19, 40), int8(40, 21), torch.rand(19), torch.rand(21)),
        lambda a, b, sa, sb: (a.double() @ b.double()) * sa.double()[:, None] * sb.double(),
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_int8_factors_accumulate_exactly_in_int32(name, make, truth):
    args = make()
    result = generated(SOURCE, name, *args)(*args)
    expected = truth(*args)
    assert result.dtype == (torch.float32 if name == "int8_scaled" else torch.int32)
    if result.dtype == torch.int32:
        assert torch.equal(result, expected)
    else:
        torch.testing.assert_close(result.double(), expected, rtol=1e-5, atol=1e-3)


def test_a_factor_that_is_not_int8_is_named_at_the_launch():
    a, b = torch.randint(-9, 9, (19, 70), dtype=torch.int32), int8(70, 13)
    with pytest.raises(TypeError, match="a must be int8 for an integer product, got torch.int32"):
        generated(SOURCE, "int8_dot", a, b)(a, b)


def test_float_factors_into_an_integer_accumulator_are_refused_at_the_product():
    a, b = int8(19, 70), int8(70, 13)
    with pytest.raises(ShapeError, match="float factors into an integer accumulator") as error:
        generated(SOURCE, "float_into_int", a, b)
    assert error.value.lineno == 54 and "hint: create the accumulator" in str(error.value)
