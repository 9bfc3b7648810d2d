"""A product over a whole K inside a loop (`x[tile_m, :] @ w[:, tile_n]` in `for tile_n`): the
loop's pipeline buffers the whole operands once a stage, so the num_stages a plain generated
module launches must leave them room in shared memory (sm_90: 232,448 B a block), while
attention's whole-head product keeps its three stages (lower/stages.py, lower/split_k.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, kernel_source

import transpiler

HEADER = "import torch\nimport helion\nimport helion.language as hl\n\n\n"

# two products reading one whole row: each stage buffers the row and both weights' columns
TWO_PRODUCTS = HEADER + (
    "@helion.kernel()\n"
    "def two_products(x: torch.Tensor, w: torch.Tensor, v: torch.Tensor) -> torch.Tensor:\n"
    "    m, width = x.size()\n"
    "    n = w.size(1)\n"
    "    out = torch.empty([m, n], dtype=x.dtype, device=x.device)\n"
    "    for tile_m in hl.tile(m):\n"
    "        for tile_n in hl.tile(n):\n"
    "            up = x[tile_m, :] @ w[:, tile_n]\n"
    "            gate = x[tile_m, :] @ v[:, tile_n]\n"
    "            out[tile_m, tile_n] = (up * torch.sigmoid(gate)).to(out.dtype)\n"
    "    return out\n"
)

# a batch of one a program (block_size 1): the whole rows of x against tiles of y's columns
BATCHED_ROWS = HEADER + (
    "@helion.kernel()\n"
    "def batched_rows(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:\n"
    "    batch, m, width = x.size()\n"
    "    n = y.size(2)\n"
    "    out = torch.empty([batch, m, n], dtype=torch.float32, device=x.device)\n"
    "    for tile_b, tile_m in hl.tile([batch, m], block_size=[1, None]):\n"
    "        for tile_n in hl.tile(n):\n"
    "            out[tile_b, tile_m, tile_n] = torch.bmm(x[tile_b, tile_m, :], y[tile_b, :, tile_n])\n"
    "    return out\n"
)


def two_products_args(width: int, dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
    return (
        torch.randn(37, width).to(dtype),
        (torch.randn(width, 90) / width**0.5).to(dtype),
        (torch.randn(width, 90) / width**0.5).to(dtype),
    )


def batched_args(width: int, dtype: torch.dtype) -> tuple[torch.Tensor, ...]:
    return torch.randn(3, 37, width).to(dtype), torch.randn(3, width, 45).to(dtype)


KERNELS = {
    "two_products": (TWO_PRODUCTS, two_products_args),
    "batched_rows": (BATCHED_ROWS, batched_args),
}
CASES = {  # name → (kernel, the row's width, dtype)
    # over 300,000 B at Triton's 3 stages before the launcher bounded them (a 200-wide row: 256)
    "two-float32-200": ("two_products", 200, torch.float32),
    "two-float32-120": ("two_products", 120, torch.float32),
    "two-float16-200": ("two_products", 200, torch.float16),
    "two-float16-300": ("two_products", 300, torch.float16),
    "batched-float32-200": ("batched_rows", 200, torch.float32),
    "batched-float16-300": ("batched_rows", 300, torch.float16),
    # float64: 32,768 elements kept whole needed 262,144 B at one stage (split_k.WHOLE_BYTES)
    "batched-float64-400": ("batched_rows", 400, torch.float64),
    "two-float64-300": ("two_products", 300, torch.float64),
}


@pytest.mark.parametrize("case", CASES)
def test_the_default_configuration_fits_sm_90(case):
    name, width, dtype = CASES[case]
    source, make = KERNELS[name]
    kernel = transpiler.kernels_from_source(source, filename="<whole operands>")[name]
    (result,) = kernel.bind(make(width, dtype)).compile_for("sm_90")
    assert result.fits, result.exceeded
    assert result.shared_bytes <= 232448


def test_a_whole_row_in_float32_gets_one_stage():
    """The launcher's estimate: both products' whole operands (the row loaded once) are 98 KiB
    a stage in float32, more than half the 160 KiB it keeps for stages."""
    args = two_products_args(200, torch.float32)
    code = transpiler.transpile_module(
        TWO_PRODUCTS, example_args={"two_products": args}, only=("two_products",)
    ).code
    launcher = code[code.index("\ndef two_products(") :]
    assert "if SPLIT_WIDTH:  # width in chunks: a stage buffers a chunk's operands" in launcher
    assert "num_stages=num_stages" in launcher
    kernel = transpiler.kernels_from_source(TWO_PRODUCTS, filename="<whole operands>")
    (result,) = kernel["two_products"].bind(args).compile_for("sm_90")
    assert result.num_stages == 1


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
def test_two_products_of_a_whole_row_compute_the_right_values(dtype):
    x, w, v = two_products_args(93, dtype)
    ours = generated(TWO_PRODUCTS, "two_products", x, w, v)(x, w, v)
    up, gate = x.double() @ w.double(), x.double() @ v.double()
    assert_matches(ours, up * torch.sigmoid(gate), dtype, dots=True)


def test_a_batch_of_whole_rows_computes_the_right_values():
    x, y = batched_args(71, torch.float32)
    ours = generated(BATCHED_ROWS, "batched_rows", x, y)(x, y)
    assert_matches(ours, torch.bmm(x.double(), y.double()), torch.float32, dots=True)


@pytest.mark.parametrize(
    ("dtype", "head", "stages"),
    [(torch.float16, 64, 3), (torch.float16, 128, 3), (torch.float32, 128, 2)],
)
def test_attention_keeps_its_whole_head_and_its_stages(dtype, head, stages):
    """Attention's q @ k.T over the whole head stays one tl.dot, pipelined three stages deep in
    half precision; a stage buffers the keys and values, not the queries loaded once around
    the loop (counted, float32's 128-wide head got one stage)."""
    q, k, v = (torch.randn(2, 130, head).to(dtype) for _ in range(3))
    kernel = transpiler.kernels_from_source(kernel_source("matrix.py"), filename="matrix.py")
    (result,) = kernel["attention"].bind((q, k, v)).compile_for("sm_90")
    assert result.fits, result.exceeded
    assert result.num_stages == stages
    assert result.constexprs["SPLIT_D"] == "False"


UNROLLED_INSIDE = HEADER + (
    "@helion.kernel()\n"
    "def unrolled(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:\n"
    "    m, width = x.size()\n"
    "    n = w.size(1)\n"
    "    out = torch.empty([m, n], dtype=torch.float32, device=x.device)\n"
    "    for tile_m in hl.tile(m):\n"
    "        for tile_n in hl.tile(n):\n"
    "            rows = x[tile_m, :]\n"
    "            acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)\n"
    "            for i in hl.static_range(2):\n"
    "                acc = acc + rows @ w[:, tile_n]\n"
    "            out[tile_m, tile_n] = acc\n"
    "    return out\n"
)


def test_a_loop_around_an_unrolled_one_is_still_pipelined():
    """hl.static_range is unrolled (no loop in the compiled kernel): the tile_n loop around it
    is the one Triton pipelines, so its row load counts in each stage."""
    x, w = torch.randn(37, 200), torch.randn(200, 45)
    code = transpiler.transpile_module(UNROLLED_INSIDE, example_args={"unrolled": (x, w)}).code
    assert "    loop_bytes = BLOCK_M * BLOCK_WIDTH * x.element_size()\n" in code
    kernel = transpiler.kernels_from_source(UNROLLED_INSIDE, filename="<whole operands>")
    (result,) = kernel["unrolled"].bind((x, w)).compile_for("sm_90")
    assert result.fits, result.exceeded
    ours = generated(UNROLLED_INSIDE, "unrolled", x, w)(x, w)
    assert_matches(ours, 2 * (x.double() @ w.double()), torch.float32, dots=True)


def test_a_batch_of_rows_too_wide_to_hold_whole_fits_sm_90():
    """A batch tile of one is squeezed (2-D in Triton): its whole K is chunked as a plain
    product's is, where [64, 1024] + [1024, 64] float32 operands would need 262,144 B."""
    kernel = transpiler.kernels_from_source(BATCHED_ROWS, filename="<whole operands>")
    (result,) = kernel["batched_rows"].bind(batched_args(1000, torch.float32)).compile_for("sm_90")
    assert result.fits, result.exceeded
    assert result.constexprs["SPLIT_WIDTH"] == "True"


def test_a_batch_of_rows_in_chunks_computes_the_right_values():
    x, y = batched_args(1000, torch.float32)
    code = transpiler.transpile_module(BATCHED_ROWS, example_args={"batched_rows": (x, y)}).code
    assert "if SPLIT_WIDTH:" in code
    ours = generated(BATCHED_ROWS, "batched_rows", x, y)(x, y)
    assert_matches(ours, torch.bmm(x.double(), y.double()), torch.float32, dots=True)


def test_float64_operands_are_chunked_at_half_the_elements():
    """(M + N) * K = 32,768 float64 elements (256 KiB) are chunked; float32's stay whole."""
    for dtype, split in ((torch.float64, "True"), (torch.float32, "False")):
        x, y = batched_args(400, dtype)
        kernel = transpiler.kernels_from_source(BATCHED_ROWS, filename="<whole operands>")
        (result,) = kernel["batched_rows"].bind((x, y)).compile_for("sm_90")
        assert result.fits, result.exceeded
        assert result.constexprs["SPLIT_WIDTH"] == split
    ours = generated(BATCHED_ROWS, "batched_rows", x.double(), y.double())(x.double(), y.double())
    assert_matches(ours, torch.bmm(x.double(), y.double()), torch.float64, dots=True)


@pytest.mark.parametrize(("dtype", "head"), [(torch.float16, 128), (torch.float32, 64)], ids=str)
def test_batched_attention_keeps_its_scaled_whole_head_product(dtype, head):
    """attention_batched's q @ k.T (a batch tile of one) may be chunked now, but where its
    whole head fits it stays one tl.dot, and either way it keeps its scaled form: the row max
    taken before the scaling, the exp one exp2 (SCALE_POSITIVE, scaled_products.py)."""
    code = transpiler.transpile(kernel_source("matrix.py"), filename="matrix.py")
    kernel = code[code.index("def attention_batched_kernel(") :]
    kernel = kernel[: kernel.index("\ndef ")]
    assert "if SPLIT_D:" in kernel
    assert "if SCALE_POSITIVE" in kernel
    assert "product * (scale * 1.4426950408889634)" in kernel
    q, k, v = (torch.randn(2, 67, head).to(dtype) for _ in range(3))
    kernels = transpiler.kernels_from_source(kernel_source("matrix.py"), filename="matrix.py")
    (result,) = kernels["attention_batched"].bind((q, k, v)).compile_for("sm_90")
    assert result.fits, result.exceeded
    assert result.constexprs["SPLIT_D"] == "False"
    assert result.constexprs["SCALE_POSITIVE"] == "True"


AROUND_A_LOOP = HEADER + (
    "@helion.kernel()\n"
    "def around(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:\n"
    "    m, width = x.size()\n"
    "    n = w.size(1)\n"
    "    out = torch.empty([m, n], dtype=torch.float32, device=x.device)\n"
    "    for tile_m in hl.tile(m):\n"
    "        for tile_n in hl.tile(n):\n"
    "            acc = x[tile_m, :] @ w[:, tile_n]\n"
    "            for j in range(3):\n"
    "                acc = acc * 0.5 + 1.0\n"
    "            out[tile_m, tile_n] = acc\n"
    "    return out\n"
)


@pytest.mark.parametrize("width", [200, 1000])
def test_a_product_in_a_loop_around_another_loop(width):
    """The tile_n loop has a loop inside, so Triton does not pipeline it: the whole operands are
    held once and not counted; the chunks' own loop is pipelined (SPLIT_WIDTH at 1000). With
    nothing else loaded, loop_bytes may be 0: the launcher divides by at least 1."""
    x, w = torch.randn(37, width), (torch.randn(width, 45) / width**0.5)
    code = transpiler.transpile_module(AROUND_A_LOOP, example_args={"around": (x, w)}).code
    assert "    loop_bytes = 0\n    if SPLIT_WIDTH:" in code
    assert "num_stages = max(1, min(3, 163840 // max(loop_bytes, 1)))" in code
    kernel = transpiler.kernels_from_source(AROUND_A_LOOP, filename="<whole operands>")
    (result,) = kernel["around"].bind((x, w)).compile_for("sm_90")
    assert result.fits, result.exceeded
    expected = (x.double() @ w.double()) * 0.125 + 1.75
    assert_matches(generated(AROUND_A_LOOP, "around", x, w)(x, w), expected, torch.float32, True)
