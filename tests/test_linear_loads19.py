"""F.linear loads each factor once: its input was lowered before the product lowered it again,
so every F.linear kernel carried a dead second load of x (`x_tile` then `x_tile_1`, found
reading `linear_k_loop`'s module, 2026-12-06). The product now lowers its own factors; the
dtype checks of weight and bias against the input still refuse mixed dtypes at the launch."""

from __future__ import annotations

import re

import pytest
import torch
from helpers import dot_tolerance, generated, kernel_source, kernel_text

SOURCE = """
import helion
import helion.language as hl
import torch
import torch.nn.functional as F


@helion.kernel()
def linear_by_keywords(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = F.linear(input=x[tile_m, :], weight=w, bias=b)
    return out


@helion.kernel()
def linear_of_a_cast(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.relu(F.linear(x[tile_m, :].float(), w[tile_n, :].float(), b[tile_n].float()))
    return out
"""


def _source(name):
    """linear_k_loop is tests/kernels/composites.py's; the other two are this file's."""
    return kernel_source("composites.py") if name == "linear_k_loop" else SOURCE


def _inputs(dtype, m=37, k=48, n=21):
    return (
        torch.randn(m, k, dtype=dtype),
        torch.randn(n, k, dtype=dtype),
        torch.randn(n, dtype=dtype),
    )


def _expected(name, x, w, b):
    value = x.double() @ w.double().T + b.double()
    return value.relu() if name == "linear_of_a_cast" else value


@pytest.mark.parametrize("name", ["linear_k_loop", "linear_by_keywords", "linear_of_a_cast"])
def test_each_factor_is_loaded_once(name):
    x, w, b = _inputs(torch.float32)
    text = kernel_text(_source(name), name, x, w, b)
    pointers = re.findall(r"tl\.load\((\w+)", text)  # a whole K loops over chunks: x_ptrs_1
    assert len(pointers) == len(set(pointers)), text  # no pointers loaded twice
    assert {"x_ptrs", "w_ptrs"} <= set(pointers), text


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", ["linear_k_loop", "linear_by_keywords", "linear_of_a_cast"])
def test_linear_is_torchs(name, dtype):
    x, w, b = _inputs(dtype)
    result = generated(_source(name), name, x, w, b)(x, w, b)
    tolerance = dot_tolerance(dtype)
    torch.testing.assert_close(result.double(), _expected(name, x, w, b), **tolerance)


def test_a_weight_of_another_dtype_is_refused_at_the_launch():
    x, w, b = _inputs(torch.float32)
    with pytest.raises(TypeError, match=r"weight w is torch.float64 .* convert w first"):
        generated(SOURCE, "linear_by_keywords", x, w.double(), b)(x, w.double(), b)


KEYWORD_INPUTS = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def row_sums_by_keyword(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = torch.sum(input=torch.exp(input=x[tile_m, :]), dim=1)
    return out


@helion.kernel()
def product_by_keyword(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.matmul(input=x[tile_m, :], other=y[:, tile_n])
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))
def addmm_by_keywords(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, mat1=x[tile_m, tile_k], mat2=y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[1, 16, 16, 16]))
def baddbmm_by_keywords(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    b, m, k = x.size()
    n = y.size(2)
    out = torch.empty([b, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([b, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            a, c = x[tile_b, tile_m, tile_k], y[tile_b, tile_k, tile_n]
            acc = torch.baddbmm(input=acc, batch1=a, batch2=c)
        out[tile_b, tile_m, tile_n] = acc
    return out


@helion.kernel()
def addmm_missing_a_matrix(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = y.size(1)
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        out[tile_m, tile_n] = torch.addmm(acc, mat2=y[:, tile_n])
    return out
"""


def test_torch_functions_given_their_input_by_keyword():
    """The shape analysis read a torch function's input only by position (`input=`: not
    followed, an InternalTranspilerError where the plan needed it, as for F.linear above)."""
    x = torch.randn(13, 37)
    sums = generated(KEYWORD_INPUTS, "row_sums_by_keyword", x)(x)
    torch.testing.assert_close(sums.double(), x.double().exp().sum(1), rtol=1e-5, atol=1e-5)
    a, b = torch.randn(19, 40), torch.randn(40, 23)
    product = generated(KEYWORD_INPUTS, "product_by_keyword", a, b)(a, b)
    torch.testing.assert_close(product.double(), a.double() @ b.double(), **dot_tolerance(a.dtype))


def test_product_factors_given_by_their_torch_keywords():
    """torch.addmm(acc, mat1=, mat2=) and torch.baddbmm(input=, batch1=, batch2=) were refused
    ("needs two matrices": the table named addmm's factors `input` / `mat2` and read them by
    position only); torch.matmul's second is `other`."""
    a, b = torch.randn(37, 40), torch.randn(40, 21)
    product = generated(KEYWORD_INPUTS, "addmm_by_keywords", a, b)(a, b)
    torch.testing.assert_close(product.double(), a.double() @ b.double(), **dot_tolerance(a.dtype))
    x, y = torch.randn(3, 19, 33), torch.randn(3, 33, 17)
    batched = generated(KEYWORD_INPUTS, "baddbmm_by_keywords", x, y)(x, y)
    torch.testing.assert_close(batched.double(), x.double() @ y.double(), **dot_tolerance(x.dtype))


def test_a_missing_factor_is_named():
    from transpiler.compile.frontend.errors import UnsupportedConstructError

    a, b = torch.randn(37, 40), torch.randn(40, 21)
    with pytest.raises(UnsupportedConstructError) as caught:
        generated(KEYWORD_INPUTS, "addmm_missing_a_matrix", a, b)
    message = str(caught.value)
    assert "mat1 not given" in message and "addmm(input, mat1, mat2)" in message, message
