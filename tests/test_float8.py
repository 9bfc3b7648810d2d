"""Float8 (issue 15): e4m3fn / e5m2 tensors stored and multiplied natively, read as float32 by
every other operation; conversions round to nearest even, in the CPU interpreter too."""

from __future__ import annotations

import math

import pytest
import torch
import triton
import triton.language as tl
from helpers import CPU_INTERPRETER_ONLY, DEVICE, generated, kernel_source

import transpiler
from transpiler.compile.frontend.errors import UnsupportedDtypeError
from transpiler.run import interpreter_float8

E4M3, E5M2 = torch.float8_e4m3fn, torch.float8_e5m2
SOURCE = kernel_source("float8.py")


def run(name: str, *args: object):
    return generated(SOURCE, name, *args)(*args)


def float8(shape: tuple[int, ...], dtype: torch.dtype = E4M3, spread: float = 2.0) -> torch.Tensor:
    """Random float8 values, none of them zero."""
    values = torch.randn(shape, dtype=torch.float64) * spread
    values = torch.where(values.abs() < 0.05, 0.5, values)
    return values.to(dtype)


@pytest.mark.parametrize("m, k, n", [(37, 80, 29), (64, 160, 48), (5, 33, 70)])
def test_scaled_matmul_sums_exact_products_in_float32(m: int, k: int, n: int) -> None:
    x, y = float8((m, k)), float8((k, n))
    x_scale, y_scale = torch.rand(m) + 0.5, torch.rand(n) + 0.5
    ours = run("scaled_float8_matmul", x, y, x_scale, y_scale)
    expected = (x.double() @ y.double()) * x_scale.double()[:, None] * y_scale.double()[None, :]
    torch.testing.assert_close(ours.double(), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("m, n, dtype", [(19, 300, torch.float16), (7, 64, torch.float32)])
def test_quantize_rows_rounds_as_torch_does(m: int, n: int, dtype: torch.dtype) -> None:
    x = (torch.randn(m, n) * 3).to(dtype)
    ours, scales = run("quantize_rows", x)
    row = x.float()
    amax = row.abs().amax(dim=-1)
    expected = (row * (448.0 / amax)[:, None]).to(E4M3)
    assert ours.dtype == E4M3
    assert torch.equal(ours.view(torch.uint8), expected.view(torch.uint8))
    # exact in the interpreter; a GPU's float32 `/` is div.full.f32, within 2 ulp of the
    # rounded quotient (Triton's default, as Helion's)
    ulps = 0 if DEVICE == "cpu" else 2.4e-7
    torch.testing.assert_close(scales.cpu(), amax.cpu() / 448.0, rtol=ulps, atol=0)
    # and against float64: within half a unit of e4m3's last place (3 mantissa bits)
    restored = ours.double() * scales.double()[:, None]
    assert ((restored - x.double()).abs() <= x.double().abs() * 2**-4 + 2**-9 * amax[:, None]).all()


def test_dequantize_reads_float8_as_float32_and_rounds_to_e5m2() -> None:
    q, scales, bias = float8((23, 45)), torch.rand(23) + 0.5, torch.randn(45)
    ours = run("dequantize_to_e5m2", q, scales, bias)
    in_float32 = q.float() * scales[:, None] + bias[None, :]
    assert ours.dtype == E5M2
    assert torch.equal(ours.view(torch.uint8), in_float32.to(E5M2).view(torch.uint8))
    exact = q.double() * scales.double()[:, None] + bias.double()[None, :]
    assert ((ours.double() - exact).abs() <= exact.abs() * 2**-3 + 2**-16).all()


def attention_in_float64(q, k, v, scale: float, block: int) -> torch.Tensor:
    """The kernel's online softmax in float64, probabilities rounded to e5m2 block by block."""
    q, k, v = q.double(), k.double(), v.double()
    row_max = torch.full((q.shape[0],), -math.inf, dtype=torch.float64)
    row_sum = torch.zeros(q.shape[0], dtype=torch.float64)
    acc = torch.zeros(q.shape[0], v.shape[1], dtype=torch.float64)
    for start in range(0, k.shape[0], block):
        scores = q @ k[start : start + block].T * scale
        new_max = torch.maximum(row_max, scores.amax(dim=-1))
        p = torch.exp(scores - new_max[:, None])
        correction = torch.exp(row_max - new_max)
        row_sum = row_sum * correction + p.sum(dim=-1)
        acc = acc * correction[:, None] + p.to(E5M2).double() @ v[start : start + block]
        row_max = new_max
    return acc / row_sum[:, None]


@pytest.mark.parametrize("m, n, d", [(50, 70, 32), (16, 129, 64)])
def test_attention_of_two_float8_products(m: int, n: int, d: int) -> None:
    q, k, v = float8((m, d), spread=0.5), float8((n, d), spread=0.5), float8((n, d))
    scale = 1 / math.sqrt(d)
    ours = run("float8_attention", q, k, v, scale)
    assert ours.dtype == torch.float16
    emulated = attention_in_float64(q, k, v, scale, block=32)
    torch.testing.assert_close(ours.double(), emulated, rtol=2e-3, atol=2e-3)
    # e5m2 probabilities keep two mantissa bits: within a few percent of exact attention
    exact = torch.softmax(q.double() @ k.double().T * scale, dim=-1) @ v.double()
    assert (ours.double() - exact).abs().max() < 0.1 * exact.abs().max()


def test_products_take_float8_as_stored_with_a_precise_accumulator() -> None:
    q, k, v = float8((16, 32)), float8((40, 32)), float8((40, 32))
    code = transpiler.transpile_module(
        SOURCE, example_args={"float8_attention": (q, k, v, 0.2)}, only=("float8_attention",)
    ).code
    assert "tl.float8e5" in code  # the cast of the probabilities
    kernel = code.split("\n@triton.jit\ndef dot_into")[0]
    # both products: those into an accumulator (p @ v, q @ k.T's chunks when K is split)
    # through dot_into, which always passes it
    assert kernel.count("max_num_imprecise_acc=0") == 1 and kernel.count("dot_into(") == 2
    assert "acc, input_precision=input_precision, max_num_imprecise_acc=0," in code
    assert "upcast_half(tl.load(q_ptrs" not in code  # a factor read only by the product


REFUSED = [
    ("x[tile].to(torch.float8_e4m3fnuz)", "torch.float8_e4m3fnuz"),
    ("hl.zeros([tile], dtype=torch.float8_e8m0fnu)", "torch.float8_e8m0fnu"),
    ("x[tile].to(torch.float4_e2m1fn_x2)", "torch.float4_e2m1fn_x2"),
]


@pytest.mark.parametrize("expression, dtype", REFUSED, ids=[d for _, d in REFUSED])
def test_float8_formats_triton_lacks_are_refused_with_the_fix(expression: str, dtype: str) -> None:
    source = f"""\
import helion
import helion.language as hl
import torch


@helion.kernel()
def convert(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = {expression}
    return out
"""
    with pytest.raises(UnsupportedDtypeError) as error:
        transpiler.transpile_module(source, example_args={"convert": (torch.randn(8),)})
    message = str(error.value)
    assert dtype in message and "out[tile] = " in message and "^" in message
    assert "torch.float8_e4m3fn or torch.float8_e5m2" in message


def test_promoting_float8_is_refused_as_torch_refuses_it() -> None:
    source = """\
import helion
import helion.language as hl
import torch


@helion.kernel()
def promoted(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile].to(torch.promote_types(torch.float8_e4m3fn, torch.float32))
    return out
"""
    with pytest.raises(UnsupportedDtypeError, match="float8") as error:
        transpiler.transpile_module(source, example_args={"promoted": (torch.randn(8),)})
    assert "promote_types" in str(error.value)


@triton.jit
def _convert(source, target, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    values = tl.load(source + offsets, mask=offsets < n)
    tl.store(target + offsets, values.to(target.dtype.element_ty), mask=offsets < n)


@triton.jit
def _product(a, b, out, M: tl.constexpr):
    rows = tl.arange(0, M)
    grid = rows[:, None] * M + rows[None, :]
    tl.store(out + grid, tl.dot(tl.load(a + grid), tl.load(b + grid)))


SPECIAL = [448.0, 464.0, 480.0, 1e6, math.inf, -math.inf, 57344.0, 61440.0, 2**-9, 0.75 * 2**-9]


@CPU_INTERPRETER_ONLY
@pytest.mark.parametrize("target", [E4M3, E5M2], ids=["e4m3fn", "e5m2"])
@pytest.mark.parametrize("source", [torch.float32, torch.float16, torch.bfloat16])
def test_interpreter_converts_float8_as_torch_does(source: torch.dtype, target) -> None:
    interpreter_float8.install()
    values = torch.cat(
        [torch.rand(3000), torch.randn(3000) * 40, torch.rand(3000) * 2**-6, torch.tensor(SPECIAL)]
    ).to(source)
    down = torch.empty(len(values), dtype=target)
    _convert[(len(values) // 1024 + 1,)](values, down, len(values), BLOCK=1024)
    assert torch.equal(down.view(torch.uint8), values.to(target).view(torch.uint8))
    up = torch.empty(len(values), dtype=source)
    _convert[(len(values) // 1024 + 1,)](down, up, len(values), BLOCK=1024)
    torch.testing.assert_close(up.double(), down.double(), rtol=0, atol=0, equal_nan=True)


@CPU_INTERPRETER_ONLY
@pytest.mark.parametrize("spread", [2**-8, 1.0, 100.0])
def test_interpreter_multiplies_subnormal_float8_exactly(spread: float) -> None:
    interpreter_float8.install()
    a, b = float8((32, 32), E5M2, spread), float8((32, 32), E4M3, spread)
    out = torch.empty(32, 32)
    _product[(1,)](a, b, out, M=32)
    torch.testing.assert_close(out.double(), a.double() @ b.double(), rtol=1e-6, atol=1e-30)


MIXED_PRODUCT = """\
import helion
import helion.language as hl
import torch


@helion.kernel()
def mixed(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            left = x[tile_m, tile_k].to(torch.float8_e4m3fn)
            acc = hl.dot(left, y[tile_k, tile_n].to(RIGHT), acc=acc)
        out[tile_m, tile_n] = acc
    return out
"""


def test_a_float8_factor_times_another_dtype_is_refused_at_the_product() -> None:
    source = MIXED_PRODUCT.replace("RIGHT", "torch.bfloat16")
    x, y = torch.randn(32, 64), torch.randn(64, 32)
    with pytest.raises(UnsupportedDtypeError, match="float8 factors multiply only") as error:
        transpiler.transpile_module(source, example_args={"mixed": (x, y)})
    assert "acc = hl.dot(left, y[tile_k, tile_n].to(torch.bfloat16), acc=acc)" in str(error.value)


def test_float8_factors_of_both_formats_multiply() -> None:
    source = MIXED_PRODUCT.replace("RIGHT", "torch.float8_e5m2")
    x, y = torch.randn(40, 64) * 2, torch.randn(64, 24) * 2
    ours = generated(source, "mixed", x, y)(x, y)
    expected = x.to(E4M3).double() @ y.to(E5M2).double()
    torch.testing.assert_close(ours.double(), expected, rtol=1e-5, atol=1e-4)


WHOLE_K_PRODUCT = """\
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[128, 256], num_warps=8, num_stages=3))
def scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    m, d = q.size()
    n, _ = k.size()
    out = torch.empty([m, n], dtype=torch.float32, device=q.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = hl.dot(q[tile_m, :], k[tile_n, :].T)
    return out
"""


def test_a_whole_k_product_split_into_chunks_keeps_32_float8_lanes() -> None:
    # (128 + 256) x 128 operands outgrow shared memory: K runs in chunks, 32 lanes or more
    # (Triton's minimum for 8-bit factors; the sm_90 compile check fails below it)
    q, k = float8((150, 128)), float8((260, 128))
    code = transpiler.transpile_module(WHOLE_K_PRODUCT, example_args={"scores": (q, k)}).code
    assert "max(32, min(64, 4096 // max(" in code
    ours = generated(WHOLE_K_PRODUCT, "scores", q, k)(q, k)
    torch.testing.assert_close(ours.double(), q.double() @ k.double().T, rtol=1e-5, atol=1e-4)
