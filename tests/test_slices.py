"""Partial slices of host tensors inside device loops (`a[tile_m, begin:begin + length]`)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, kernel_text, reference

import transpiler
from transpiler.compile.frontend import errors

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel()
def interleaved_matmul(a: torch.Tensor, w_even: torch.Tensor, w_odd: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    half, n = w_even.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    block_size_half = hl.register_block_size(half)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_h in hl.tile(half, block_size=block_size_half):
            a_begin = tile_h.begin * 2
            a_length = block_size_half * 2
            a_tile = a[tile_m, a_begin:a_begin + a_length]
            pairs = torch.stack([w_even[tile_h, tile_n], w_odd[tile_h, tile_n]], dim=1)
            w_tile = pairs.reshape(tile_h.block_size * 2, tile_n.block_size)
            acc = hl.dot(a_tile, w_tile, acc=acc)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def window_sums(x: torch.Tensor, start: int) -> torch.Tensor:
    m = x.size(0)
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        window = x[tile_m, start:start + 5]
        head = x[tile_m, 1:3]
        out[tile_m] = window.sum(-1) + head.sum(-1) * 10
    return out
"""

# float32 dots: exact in the interpreter, TF32 on GPUs (Triton's default, as Helion's)
FP32_DOT = (
    {"atol": 1e-4, "rtol": 1e-4} if not torch.cuda.is_available() else {"atol": 2e-2, "rtol": 2e-2}
)


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 2 - 1).to(dtype)


def test_a_slice_is_an_axis_masked_by_the_tensor():
    text = kernel_text(SOURCE, "interleaved_matmul", rand(5, 8), rand(4, 3), rand(4, 3))
    assert "offs_a = a_begin + tl.arange(0, BLOCK_SIZE_HALF * 2).to(INDEX_DTYPE)" in text
    assert "mask_a = offs_a < k" in text  # as long as its lanes: only the tensor's end masks
    assert "w_tile = tl.reshape(pairs, [BLOCK_SIZE_HALF * 2, BLOCK_N])" in text
    assert "acc = dot_into(" in text


@pytest.mark.parametrize("sizes", [(37, 45, 29), (1, 1, 1), (16, 64, 16), (5, 70, 3)], ids=str)
def test_widened_slices_meet_reshaped_blocks_in_a_dot(sizes):
    m, half, n = sizes
    a, w_even, w_odd = rand(m, 2 * half), rand(half, n), rand(half, n)
    actual = generated(SOURCE, "interleaved_matmul", a, w_even, w_odd)(a, w_even, w_odd)
    weights = torch.stack([w_even, w_odd], dim=1).reshape(2 * half, n)
    torch.testing.assert_close(actual.double(), a.double() @ weights.double(), **FP32_DOT)
    expected = reference(SOURCE, "interleaved_matmul")(a.clone(), w_even.clone(), w_odd.clone())
    torch.testing.assert_close(actual.double(), expected.double(), **FP32_DOT)


def test_a_constant_length_takes_a_power_of_two_of_lanes_and_masks_the_rest():
    text = kernel_text(SOURCE, "window_sums", rand(5, 9), 2)
    assert "offs_slice = start + tl.arange(0, 8).to(INDEX_DTYPE)" in text
    assert "mask_slice = (offs_slice < start + 5) & (offs_slice < x_size_1)" in text
    assert "tl.arange(0, 2)" in text


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize(("shape", "start"), [((37, 11), 2), ((3, 9), 6), ((64, 5), 0)], ids=str)
def test_constant_length_slices_match_float64(shape, start, dtype):
    x = rand(*shape, dtype=dtype)
    actual = generated(SOURCE, "window_sums", x, start)(x, start)
    expected = x.double()[:, start : start + 5].sum(-1) + x.double()[:, 1:3].sum(-1) * 10
    assert_matches(actual, expected, dtype)  # slices past the end hold what torch's hold
    assert_matches(actual, reference(SOURCE, "window_sums")(x.clone(), start), dtype)


@pytest.mark.parametrize(
    ("index", "message"),
    [
        ("tile_m.begin:", "known only at run time"),  # (host bounds make whole dimensions)
        ("start:start + 5:2", "with a step"),
        ("start:start + tile_m.begin", "neither a constant nor made of block sizes"),
    ],
)
def test_slices_of_unknown_length_are_refused_at_their_place(index, message):
    source = SOURCE.replace("x[tile_m, start:start + 5]", f"x[tile_m, {index}]")
    with pytest.raises(errors.UnsupportedConstructError, match=message) as caught:
        transpiler.transpile(source, example_args={"window_sums": (rand(3, 4), 1)})
    line = source.splitlines()[caught.value.lineno - 1]
    assert "window = x[tile_m," in line
