"""Block sizes from hl.register_block_size used as shapes and as inner loops' blocks."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, block_sizes, generated, reference

import transpiler

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def row_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    block_size_n = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, block_size_n], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_size_n):
            acc += x[tile_m, tile_n]
        out[tile_m] = acc.sum(-1)
    return out


@helion.kernel()
def exp_and_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    block_size_n = hl.register_block_size(n)
    block_size_m = hl.register_block_size(m)
    for tile_m in hl.tile(m, block_size=block_size_m):
        best = hl.full([tile_m, block_size_n], float("-inf"), dtype=torch.float32)
        total = hl.zeros([tile_m, block_size_n], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_size_n):
            part = hl.zeros([block_size_m, block_size_n], dtype=torch.float32)
            part += torch.exp(x[tile_m, tile_n])
            best = torch.maximum(best, x[tile_m, tile_n])
            total += part
        out[tile_m] = best.amax(-1) + total.sum(-1)
    return out


@helion.kernel()
def weighted_sums(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    block_size_n = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, block_size_n], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_size_n):
            acc = acc + x[tile_m, tile_n] * w[None, tile_n] + 1.0
        out[tile_m] = acc.sum(-1) - n
    return out
"""


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def kernel_text(name: str, *args: object) -> str:
    code = transpiler.transpile_module(SOURCE, example_args={name: args}, only=(name,)).code
    return code[code.index(f"def {name}_kernel") :]


def test_one_constexpr_serves_the_shape_and_the_loop():
    text = kernel_text("row_sums", rand(5, 7))
    assert "acc = tl.zeros([BLOCK_M, BLOCK_SIZE_N], dtype=tl.float32)" in text
    assert "for begin_n in range(0, n, BLOCK_SIZE_N):" in text
    assert "BLOCK_SIZE_N = block_size_n" in text
    # the load is zero outside the tensor: adding it keeps the lanes, no tl.where needed
    assert "acc = acc + x_tile" in text and "tl.where" not in text


def test_other_updates_keep_the_lanes_outside_the_tensor():
    text = kernel_text("exp_and_max", rand(5, 7))
    assert "part = tl.where(mask_m[:, None] & mask_n[None, :], part + tl.exp(x_tile), part)" in text
    compact = "".join(text.split())  # however the formatter wraps it
    # line 42 reads x[tile_m, tile_n] again: line 41's load serves it (reused_loads.py)
    assert "best=tl.where(mask_n[None,:],tl.maximum(best,x_tile," in compact
    assert compact.count("tl.load(") == 1
    assert "max_nan(best, axis=1) + tl.sum(total, axis=1)" in text  # no masks: all lanes valid


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize("shape", [(37, 203), (1, 5), (64, 64), (3, 130)], ids=str)
def test_row_sums_match_float64(shape, dtype):
    x = rand(*shape, dtype=dtype)
    actual = generated(SOURCE, "row_sums", x)(x)
    assert_matches(actual, x.double().sum(-1), dtype)
    assert_matches(actual, reference(SOURCE, "row_sums")(x.clone()), dtype)


@pytest.mark.parametrize("shape", [(37, 203), (1, 5), (19, 64), (70, 33)], ids=str)
def test_masked_updates_match_float64(shape):
    x = rand(*shape)
    actual = generated(SOURCE, "exp_and_max", x)(x)
    expected = x.double().amax(-1) + x.double().exp().sum(-1)
    assert_matches(actual, expected)
    assert_matches(actual, reference(SOURCE, "exp_and_max")(x.clone()))


@pytest.mark.parametrize("shape", [(37, 203), (2, 3)], ids=str)
def test_constant_lanes_outside_the_tensor_stay_out_of_the_sum(shape):
    x, w = rand(*shape), rand(shape[1])
    actual = generated(SOURCE, "weighted_sums", x, w)(x, w)
    expected = (x.double() * w.double()).sum(-1)
    assert_matches(actual, expected)
    assert_matches(actual, reference(SOURCE, "weighted_sums")(x.clone(), w.clone()))


ARANGE_OF_A_BLOCK_SIZE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def shifted_rows(x: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([starts.size(0), n], dtype=torch.float32, device=x.device)
    block_m = hl.register_block_size(16, 16)
    for g in hl.grid(starts.size(0)):
        rows = starts[g] + hl.arange(block_m)
        valid = rows < m
        for tile_n in hl.tile(n):
            block = hl.load(x, [rows, tile_n.index], extra_mask=valid[:, None])
            hl.store(out, [g, tile_n.index], block.sum(0))
    return out
"""


def test_arange_of_a_registered_block_size_indexes_a_gather():
    """grouped_gemm's pattern: `base + hl.arange(BLOCK_M)` rows, masked where they run out."""
    x = torch.randn(23, 37)
    starts = torch.tensor([0, 5, 20], dtype=torch.int32)
    code = transpiler.transpile(ARANGE_OF_A_BLOCK_SIZE, example_args=(x, starts))
    assert "rows = starts_tile + tl.arange(0, BLOCK_M)" in code
    ours = generated(ARANGE_OF_A_BLOCK_SIZE, "shifted_rows", x, starts)(x, starts)
    expected = torch.stack([x.double()[s : s + 16].sum(0) for s in starts.tolist()])
    assert_matches(ours, expected.float())


REGISTERED = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def two_pass_softmax(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    block_m = hl.register_block_size(m)
    block_n = hl.register_block_size(n)
    for tile_m in hl.tile(m, block_size=block_m):
        mi = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        di = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_n):
            values = x[tile_m, tile_n]
            new_max = torch.maximum(mi, torch.amax(values, dim=1))
            di = di * torch.exp(mi - new_max) + torch.exp(values - new_max[:, None]).sum(dim=1)
            mi = new_max
        for tile_n in hl.tile(n, block_size=block_n):
            out[tile_m, tile_n] = torch.exp(x[tile_m, tile_n] - mi[:, None]) / di[:, None]
    return out


@helion.kernel()
def chunked_row_sums(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    block_n = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, block_n], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=block_n):
            acc += x[tile_m, tile_n]
        out[tile_m] = acc.sum(dim=1)
    return out


@helion.kernel()
def registered_matmul(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    _, n = y.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    block_k = hl.register_block_size(k)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k, block_size=block_k):
            acc = torch.addmm(acc, x[tile_m, tile_k], y[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out
"""

REGISTERED_CASES = {  # kernel → (arguments, float64 result, tunables, a config for them)
    "two_pass_softmax": (
        lambda: (torch.randn(37, 301),),
        lambda x: torch.softmax(x, -1),
        (("BLOCK_M", "tile"), ("BLOCK_N", "reduce")),
        [2, 64],
    ),
    "chunked_row_sums": (
        lambda: (torch.randn(19, 203),),
        lambda x: x.sum(-1),
        (("BLOCK_N", "reduce"), ("BLOCK_M", "tile")),
        [32, 8],
    ),
    "registered_matmul": (
        lambda: (torch.randn(33, 48), torch.randn(48, 17)),
        lambda x, y: x @ y,
        (("BLOCK_K", "k"), ("BLOCK_M", "mn"), ("BLOCK_N", "mn")),
        [16, 16, 32],
    ),
}


@pytest.mark.parametrize("name", list(REGISTERED_CASES))
def test_registered_block_sizes_are_tuned_first_in_config_order(name):
    """hl.register_block_size's sizes are the first of a config's block_sizes (Helion's order)
    and tunables of their own, with the role of the loop that uses them: the autotuner has a
    space for Helion's softmax_two_pass (it had none, and launched the default on the H200)."""
    make, exact, tunables, sizes = REGISTERED_CASES[name]
    args = make()
    transpiled = transpiler.transpile_module(REGISTERED, example_args={name: args}, only=(name,))
    assert transpiled.tunables[name] == tunables
    config = {"block_sizes": sizes}
    code = transpiler.transpile_module(
        REGISTERED, example_args={name: args}, only=(name,), config=config
    ).code
    for (block, _), size in zip(tunables, sizes):
        assert block_sizes(code).get(block) == str(size) or f"{block}={size}" in code, block
    ours = generated(REGISTERED, name, *args)(*args)
    assert_matches(ours, exact(*(a.double() for a in args)).float(), torch.float32, dots=True)
