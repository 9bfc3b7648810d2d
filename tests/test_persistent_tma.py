"""Helion's `pid_type` (persistent programs) and `indexing="tensor_descriptor"` (Hopper's TMA):
the same results as one program per tile through pointers, on every shape and stride (tensors
TMA cannot copy take the pointer path the kernel keeps), and readable code for both."""

from __future__ import annotations

import pytest
import torch

import transpiler
from tests.helpers import DEVICE, assert_matches, kernel_source, on_device
from transpiler.run.runtime import load_module

PID_TYPES = ["flat", "persistent_interleaved", "persistent_blocked"]
INDEXING = ["pointer", "tensor_descriptor"]


def module_with(file: str, name: str, config: dict, *args: object):
    transpiled = transpiler.transpile_module(
        kernel_source(file),
        filename="kernels.py",
        example_args={name: args},
        only=(name,),
        config=config,
    )
    return transpiled.code, load_module(transpiled.code, stem=f"{name}_{abs(hash(str(config)))}")


def matmul_config(pid_type: str, indexing: str) -> dict:
    return {
        "block_sizes": [32, 16, 16],
        "pid_type": pid_type,
        "indexing": indexing,
        "l2_groupings": [2],
    }


def matmul_inputs(shape: str, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(7)
    if shape == "aligned":  # rows of 48 / 80 elements: 16-byte aligned, TMA copies them
        return torch.randn(96, 48, dtype=dtype) + 0.5, torch.randn(48, 80, dtype=dtype) - 0.25
    if shape == "odd":  # rows of 29 / 53 elements: not 16-byte aligned, pointers
        return torch.randn(37, 29, dtype=dtype) + 0.5, torch.randn(29, 53, dtype=dtype) - 0.25
    # y transposed: its last dimension is not contiguous, pointers
    return torch.randn(64, 48, dtype=dtype) + 0.5, torch.randn(80, 48, dtype=dtype).t() - 0.25


@pytest.mark.parametrize("pid_type", PID_TYPES)
@pytest.mark.parametrize("indexing", INDEXING)
@pytest.mark.parametrize("shape", ["aligned", "odd", "transposed"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
def test_matmul_matches_for_every_pid_type_and_indexing(pid_type, indexing, shape, dtype):
    x, y = matmul_inputs(shape, dtype)
    _, module = module_with("examples.py", "matmul", matmul_config(pid_type, indexing), x, y)
    result = on_device(module.matmul)(x, y)
    assert_matches(result, x.double() @ y.double(), dtype, dots=True)


def test_tma_fits_says_which_tensors_tma_can_copy():
    _, module = module_with(
        "examples.py",
        "matmul",
        matmul_config("flat", "tensor_descriptor"),
        *matmul_inputs("aligned", torch.float32),
    )
    aligned, odd, transposed = (
        matmul_inputs(s, torch.float32) for s in ("aligned", "odd", "transposed")
    )
    assert module.tma_fits(aligned[0], 32, 16) and module.tma_fits(aligned[1], 16, 32)
    assert not module.tma_fits(odd[0], 32, 16)  # 29 * 4 bytes: rows not 16-byte aligned
    assert not module.tma_fits(transposed[1], 16, 32)  # last dimension strided
    assert not module.tma_fits(aligned[0], 512, 16)  # a tile of more than 256 rows
    assert not module.tma_fits(aligned[0], 32, 2)  # 8 bytes along the last dimension
    assert not module.tma_fits(aligned[0][:, 1:], 32, 16)  # the start is not 16-byte aligned


def test_the_tma_path_runs_when_the_tensors_allow_it(monkeypatch):
    """The launcher's flag really takes the descriptor path for aligned inputs (a tma_fits
    that refuses everything changes nothing but the path: both give the product)."""
    x, y = matmul_inputs("aligned", torch.float32)
    _, module = module_with(
        "examples.py", "matmul", matmul_config("flat", "tensor_descriptor"), x, y
    )
    seen = []
    fits = module.tma_fits
    monkeypatch.setattr(module, "tma_fits", lambda t, *b: seen.append(fits(t, *b)) or seen[-1])
    result = on_device(module.matmul)(x, y)
    assert seen == [True, True, True]
    assert_matches(result, x.double() @ y.double(), torch.float32, dots=True)


def test_generated_code_reads_as_a_persistent_tma_matmul():
    code, _ = module_with(
        "examples.py",
        "matmul",
        matmul_config("persistent_interleaved", "tensor_descriptor"),
        *matmul_inputs("aligned", torch.float32),
    )
    for line in (
        "if TENSOR_DESCRIPTORS:  # Hopper's TMA copies whole tiles; past the end: 0s",
        "x_desc = tl.make_tensor_descriptor(",
        "x_ptr, shape=[m, k], strides=[x_stride_0, 1], block_shape=[BLOCK_M, BLOCK_K])",
        "# persistent: NUM_PROGRAMS programs, each taking every NUM_PROGRAMS-th tile",
        "num_tiles = tl.cdiv(m, BLOCK_M) * tl.cdiv(n, BLOCK_N)",
        "for pid in tl.range(tl.program_id(0).to(INDEX_DTYPE), num_tiles, NUM_PROGRAMS, "
        "flatten=True):",
        "x_tile = x_desc.load([pid_m * BLOCK_M, begin_k])",
        "out_desc.store([pid_m * BLOCK_M, pid_n * BLOCK_N], acc.to(out_ptr.dtype.element_ty))",
        "NUM_PROGRAMS = persistent_programs(x)",
        "grid = (min(NUM_PROGRAMS, triton.cdiv(m, BLOCK_M) * triton.cdiv(n, BLOCK_N)),)",
        "triton.set_allocator(tma_scratch)",
    ):
        assert line in code, line
    assert "tl.program_id(0)" in code.split("for pid in")[1].split("\n")[0]  # once, in the loop


def test_blocked_programs_take_runs_of_tiles():
    code, _ = module_with(
        "examples.py",
        "matmul",
        matmul_config("persistent_blocked", "pointer"),
        *matmul_inputs("aligned", torch.float32),
    )
    assert "tiles_per_program = tl.cdiv(num_tiles, NUM_PROGRAMS)" in code
    assert "first_tile = tl.program_id(0).to(INDEX_DTYPE) * tiles_per_program" in code
    assert "make_tensor_descriptor" not in code  # pointers, as asked


@pytest.mark.parametrize("pid_type", PID_TYPES)
@pytest.mark.parametrize("indexing", INDEXING)
def test_row_kernels_match_too(pid_type, indexing):
    """A rows kernel (`x[tile, :]`, reductions) and a 1-D elementwise one, both ways."""
    torch.manual_seed(3)
    x = torch.randn(45, 64) * 2 + 1  # 64-wide rows: TMA can copy [rows, 64] tiles
    config = {"block_sizes": [4], "pid_type": pid_type, "indexing": indexing}
    _, module = module_with("reductions.py", "softmax", config, x)
    assert_matches(on_device(module.softmax)(x), torch.softmax(x.double(), dim=-1), x.dtype)
    a, b = torch.randn(1000) + 1, torch.randn(1000) - 1
    config = {"block_sizes": [128], "pid_type": pid_type, "indexing": indexing}
    _, module = module_with("elementwise.py", "add", config, a, b)
    assert_matches(on_device(module.add)(a, b), a.double() + b.double(), a.dtype)


def test_a_1d_descriptor_takes_no_stride_parameter():
    """A 1-D tensor's descriptor has the stride 1 only: no stride of its last dimension is
    passed to the kernel (it once was, as an unused parameter named `value`)."""
    a = torch.randn(1000)
    code, _ = module_with("elementwise.py", "add", {"indexing": "tensor_descriptor"}, a, a)
    assert "x_desc = tl.make_tensor_descriptor(" in code and "strides=[1]" in code
    assert "value" not in code.split("def add_kernel(")[1].split(")")[0]
    assert "x.stride(-1)" not in code


def test_accumulating_stores_keep_pointers():
    """`out[tile] += v` reads what it writes: no TMA store there, and the sum is right."""
    source = """
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(block_sizes=[16, 16], indexing="tensor_descriptor"))
def add_into(out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    for tile_m, tile_n in hl.tile(out.size()):
        out[tile_m, tile_n] += x[tile_m, tile_n] * 2.0
    return out
"""
    out, x = torch.randn(40, 32), torch.randn(40, 32)
    expected = out.double() + 2 * x.double()
    transpiled = transpiler.transpile_module(source, example_args={"add_into": (out, x)})
    assert "x_desc.load(" in transpiled.code and "out_desc.store" not in transpiled.code
    module = load_module(transpiled.code, stem="add_into_tma")
    assert_matches(on_device(module.add_into)(out, x), expected, torch.float32)


@pytest.mark.parametrize(
    "field, value, hint",
    [
        ("pid_type", "diagonal", "'persistent_interleaved'"),
        ("indexing", "tma", "'tensor_descriptor'"),
    ],
)
def test_unknown_values_are_named_with_the_choices(field, value, hint):
    x, y = matmul_inputs("aligned", torch.float32)
    with pytest.raises(transpiler.TranspileError) as caught:
        module_with("examples.py", "matmul", {"block_sizes": [32, 16, 16], field: value}, x, y)
    message = str(caught.value)
    assert f"{field}={value!r}" in message and hint in message


def test_block_pointers_read_through_pointers():
    """Helion's indexing="block_ptr": Triton 3.9 has no block pointers; pointers it is."""
    x, y = matmul_inputs("aligned", torch.float32)
    code, module = module_with(
        "examples.py", "matmul", {"block_sizes": [32, 16, 16], "indexing": "block_ptr"}, x, y
    )
    assert "make_tensor_descriptor" not in code and "make_block_ptr" not in code
    assert_matches(on_device(module.matmul)(x, y), x.double() @ y.double(), x.dtype, dots=True)


@pytest.mark.skipif(DEVICE != "cuda", reason="needs a GPU")
@pytest.mark.parametrize("pid_type", PID_TYPES)
def test_bf16_matmul_on_the_gpu(pid_type):
    """bf16 through TMA on Hopper: odd and aligned shapes, both paths."""
    torch.manual_seed(11)
    for m, n, k in ((256, 384, 192), (193, 257, 120), (64, 8, 64)):
        x = torch.randn(m, k, dtype=torch.bfloat16)
        y = torch.randn(k, n, dtype=torch.bfloat16)
        config = {
            "block_sizes": [64, 64, 32],
            "pid_type": pid_type,
            "indexing": "tensor_descriptor",
            "l2_groupings": [4],
        }
        _, module = module_with("examples.py", "matmul", config, x, y)
        result = on_device(module.matmul)(x, y)
        assert_matches(result, x.double() @ y.double(), torch.bfloat16, dots=True)


ATTENTION_WS = {
    "block_sizes": [16, 16],
    "num_warps": 4,
    "num_stages": 2,
    "indexing": "tensor_descriptor",
    "range_warp_specializes": [True],
}


def attention_inputs(batch: int, m: int, n: int, d: int, dtype: torch.dtype):
    torch.manual_seed(5)
    q = torch.randn(batch, m, d, dtype=dtype)
    k = torch.randn(batch, n, d, dtype=dtype) * 0.5
    v = torch.randn(batch, n, d, dtype=dtype) + 0.25
    return q, k, v


def attention_exact(q, k, v):
    scores = q.double() @ k.double().transpose(1, 2) / q.size(-1) ** 0.5
    return torch.softmax(scores, dim=-1) @ v.double()


@pytest.mark.parametrize(
    "shape, path",
    [
        ((3, 64, 48, 32), "tma"),  # whole tiles along m and n: a batch's rows join the next's
        ((3, 50, 48, 32), "pointers"),  # m not a multiple of BLOCK_M: a tile would cross
        ((2, 64, 40, 32), "pointers"),  # n not a multiple of BLOCK_N
    ],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
def test_attention_through_joined_descriptors_and_a_warp_specialized_loop(
    shape, path, dtype, monkeypatch
):
    q, k, v = attention_inputs(*shape, dtype)
    code, module = module_with("matrix.py", "attention_batched", ATTENTION_WS, q, k, v)
    assert "for begin_n in tl.range(0, n, BLOCK_N, warp_specialize=TENSOR_DESCRIPTORS):" in code
    assert "queries = q_desc.load([offs_b * m + pid_m * BLOCK_M, 0])" in code
    assert "tma_rows_fit(q, m % BLOCK_M == 0, BLOCK_M, BLOCK_D)" in code
    seen = []
    fits = module.tma_rows_fit
    monkeypatch.setattr(
        module, "tma_rows_fit", lambda t, w, *b: seen.append(fits(t, w, *b)) or seen[-1]
    )
    result = on_device(module.attention_batched)(q, k, v)
    assert all(seen) == (path == "tma") and seen
    assert_matches(result, attention_exact(q, k, v), dtype, dots=True)


def test_attention_with_batches_not_contiguous_takes_pointers(monkeypatch):
    """q as a strided view of a larger tensor: its batches' rows do not join, pointers."""
    q, k, v = attention_inputs(3, 64, 48, 32, torch.float32)
    wide = torch.randn(3, 80, 32)
    wide[:, :64] = q
    code, module = module_with("matrix.py", "attention_batched", ATTENTION_WS, wide[:, :64], k, v)
    assert not module.tma_rows_fit(wide[:, :64], True, 16, 32)
    assert module.tma_rows_fit(q, True, 16, 32) and not module.tma_rows_fit(q, False, 16, 32)
    result = on_device(module.attention_batched)(wide[:, :64], k, v)
    assert_matches(result, attention_exact(q, k, v), torch.float32, dots=True)


def test_attention_candidates_try_the_warp_specialized_loop_first():
    from transpiler.run.tile_configs import (
        WARP_SPECIALIZED_CONFIGS,
        WARP_SPECIALIZED_PID_TYPES,
        candidates,
    )

    roles = transpiler.transpile_module(
        kernel_source("matrix.py"), only=("attention_batched",)
    ).tunables["attention_batched"]
    space = candidates(roles)
    persistent = len(WARP_SPECIALIZED_PID_TYPES)
    first = space[: persistent + len(WARP_SPECIALIZED_CONFIGS)]
    assert all(c["range_warp_specializes"] == [True] for c in first)
    assert all(c["indexing"] == "tensor_descriptor" for c in first)
    # persistent programs first, at the first warp-specialized shape; then one per tile
    assert [c.get("pid_type") for c in first] == [*WARP_SPECIALIZED_PID_TYPES] + [None] * len(
        WARP_SPECIALIZED_CONFIGS
    )
    assert first[0]["block_sizes"] == first[persistent]["block_sizes"]
    assert not any("range_warp_specializes" in c or "pid_type" in c for c in space[len(first) :])


@pytest.mark.skipif(DEVICE != "cuda", reason="needs a GPU")
def test_bf16_attention_warp_specialized_on_the_gpu():
    """Triton's Hopper warp specialization at the autotuner's candidates, on whole and ragged
    sizes (ragged: the pointer path, warp specialization still asked for)."""
    from transpiler.run.tile_configs import WARP_SPECIALIZED_CONFIGS

    for batch, m, n in ((6, 512, 384), (4, 200, 256)):
        q, k, v = attention_inputs(batch, m, n, 128, torch.bfloat16)
        for block_m, block_n, warps, stages in WARP_SPECIALIZED_CONFIGS:
            config = {
                **ATTENTION_WS,
                "block_sizes": [block_m, block_n],
                "num_warps": warps,
                "num_stages": stages,
            }
            _, module = module_with("matrix.py", "attention_batched", config, q, k, v)
            result = on_device(module.attention_batched)(q, k, v)
            assert_matches(result, attention_exact(q, k, v), torch.bfloat16, dots=True)


@pytest.mark.parametrize("pid_type", ["persistent_interleaved", "persistent_blocked"])
def test_persistent_attention_around_a_warp_specialized_loop_is_not_flattened(pid_type):
    """Triton 3.6 fails to compile a flattened persistent loop around a warp-specialized one
    (its TMA lowering, on an H100): the persistent loop stays a plain tl.range there."""
    q, k, v = attention_inputs(3, 64, 48, 32, torch.float32)
    config = {**ATTENTION_WS, "pid_type": pid_type}
    code, module = module_with("matrix.py", "attention_batched", config, q, k, v)
    assert "warp_specialize=TENSOR_DESCRIPTORS" in code and "for pid in tl.range(" in code
    assert "flatten=True" not in code
    result = on_device(module.attention_batched)(q, k, v)
    assert_matches(result, attention_exact(q, k, v), torch.float32, dots=True)


@pytest.mark.skipif(DEVICE != "cuda", reason="needs a GPU")
@pytest.mark.parametrize("pid_type", ["persistent_interleaved", "persistent_blocked"])
def test_bf16_persistent_attention_warp_specialized_on_the_gpu(pid_type):
    """More tiles than SMs (so programs take several), whole and ragged (the pointer path)."""
    for batch, m, n in ((40, 512, 384), (4, 200, 256)):
        q, k, v = attention_inputs(batch, m, n, 128, torch.bfloat16)
        config = {**ATTENTION_WS, "block_sizes": [128, 128], "pid_type": pid_type}
        _, module = module_with("matrix.py", "attention_batched", config, q, k, v)
        result = on_device(module.attention_batched)(q, k, v)
        assert_matches(result, attention_exact(q, k, v), torch.bfloat16, dots=True)


def test_an_unknown_indexing_is_refused_at_the_loop_even_without_tile_accesses():
    """A kernel whose only access is a gather never asks for a descriptor: the config's value
    is still checked, with the caret at the device loop."""
    source = """
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(block_sizes=[16], indexing="tma"))
def gather(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    out = torch.empty(index.size(0), dtype=x.dtype, device=x.device)
    for tile in hl.tile(index.size(0)):
        out[tile] = x[index[tile]]
    return out
"""
    x, index = torch.randn(30), torch.randint(0, 30, (20,))
    with pytest.raises(transpiler.TranspileError) as caught:
        transpiler.transpile_module(source, example_args={"gather": (x, index)})
    message = str(caught.value)
    assert "indexing='tma'" in message and ":10:5:" in message and "hl.tile(index" in message


def test_tiles_from_an_explicit_begin_keep_pointers_along_the_last_dimension():
    """`hl.tile(1, n)`: tile starts 1, 9, 17, ... are not 16-byte aligned in float16, which TMA
    wants along the last dimension (the soak's interpreter runs failed there): pointers."""
    source = """
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(block_sizes=[8], indexing="tensor_descriptor"))
def shifted(x: torch.Tensor) -> torch.Tensor:
    (n,) = x.size()
    out = torch.zeros([n], dtype=torch.float32, device=x.device)
    for tile_n in hl.tile(1, n):
        out[tile_n] = x[tile_n] * 2.0
    return out
"""
    x = torch.rand(100, dtype=torch.float16) + 0.5
    transpiled = transpiler.transpile_module(source, example_args={"shifted": (x,)})
    assert "make_tensor_descriptor" not in transpiled.code
    result = on_device(load_module(transpiled.code, stem="shifted_tiles").shifted)(x)
    expected = torch.cat([torch.zeros(1, dtype=torch.float64), x[1:].double() * 2])
    assert_matches(result, expected, torch.float32)
