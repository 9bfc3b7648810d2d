"""Generated kernels against the reference mode and a float64 torch evaluation, at odd sizes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE, GPU_ONLY_BF16, assert_matches, both_truths, kernel_source

import transpiler
from transpiler.run.runtime import load_module

SIZES_2D = [(1, 1), (7, 13), (33, 65), (5, 129)]


def rand(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return (torch.rand(*shape, dtype=torch.float64) * 4 - 2 + 0.01).to(dtype)


@pytest.mark.parametrize("shape", [(1,), (7,), (1031,), (5, 3), (3, 4, 5)], ids=str)
@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float16, GPU_ONLY_BF16, torch.int32], ids=str
)
def test_add_any_rank_and_dtype(shape, dtype):
    x = (
        rand(*shape, dtype=dtype)
        if dtype.is_floating_point
        else torch.randint(-50, 50, shape, dtype=dtype)
    )
    y = (
        rand(*shape, dtype=dtype)
        if dtype.is_floating_point
        else torch.randint(-50, 50, shape, dtype=dtype)
    )
    ours, reference = both_truths("elementwise.py", "add", x, y)
    assert ours.dtype == dtype
    assert_matches(ours, reference)
    assert_matches(ours, x.double() + y.double(), dtype)


def test_add_promotes_like_torch():
    x, y = rand(9, dtype=torch.float16), rand(9, dtype=torch.float32)
    ours, reference = both_truths("elementwise.py", "add", x, y)
    assert ours.dtype == reference.dtype == torch.float16  # out = empty_like(x)
    assert_matches(ours, x.double() + y.double(), torch.float16)


def test_add_strided_views():
    base = rand(12, 34)
    x = base.T[3:20]  # transposed and sliced: non-contiguous
    y = rand(40, 12)[::2][:17]
    ours, reference = both_truths("elementwise.py", "add", x, y)
    assert_matches(ours, reference)
    assert_matches(ours, x.double() + y.double())


def test_add_empty_launches_nothing():
    x = torch.empty(0, 5)
    ours, _ = both_truths("elementwise.py", "add", x, x)
    assert ours.shape == (0, 5)


@pytest.mark.parametrize("shape", SIZES_2D, ids=str)
def test_scale_shift(shape):
    x = rand(*shape)
    ours, reference = both_truths("elementwise.py", "scale_shift", x, 1.5)
    assert_matches(ours, reference)
    assert_matches(ours, x.double() * 1.5 + 0.5)


@pytest.mark.parametrize("sizes", [(1, 1), (7, 13), (129, 3)], ids=str)
def test_outer_add(sizes):
    a, b = rand(sizes[0]), rand(sizes[1])
    ours, reference = both_truths("elementwise.py", "outer_add", a, b)
    assert_matches(ours, reference)
    assert_matches(ours, a.double()[:, None] + b.double()[None, :])


@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (65, 33)], ids=str)
def test_transpose(shape):
    x = rand(*shape)
    ours, reference = both_truths("elementwise.py", "transpose", x)
    assert_matches(ours, reference)
    assert_matches(ours, x.double().T)


def test_tile_begin_end_range():
    x, y = rand(101), rand(101)
    ours, reference = both_truths("elementwise.py", "axpy_range", x, y, 0.75, 13, 90)
    expected = y.double().clone()
    expected[13:90] = 0.75 * x.double()[13:90] + y.double()[13:90]
    assert_matches(ours, reference)
    assert_matches(ours, expected)


def test_tile_attributes():
    x = rand(37)
    ours, _ = both_truths("elementwise.py", "tile_info", x)
    index = torch.arange(37, dtype=torch.float64)
    begin = (index // 16) * 16
    end = torch.minimum(begin + 16, torch.tensor(37.0, dtype=torch.float64))
    assert_matches(ours, x.double() + index * 2 + begin - end + 16)


def test_grid_rows():
    x = rand(5, 11)
    ours, reference = both_truths("elementwise.py", "grid_rows", x)
    assert_matches(ours, reference)
    assert_matches(ours, x.double() - torch.arange(5, dtype=torch.float64)[:, None])


def test_activations_where_clamp():
    x, y = rand(77), rand(77)
    ours, reference = both_truths("elementwise.py", "gelu_mix", x, y)
    a, b = x.double(), y.double()
    gated = F.gelu(a, approximate="tanh") * torch.sigmoid(b)
    expected = torch.where(a > b, gated, F.gelu(b)) + torch.clamp(a, -0.5, 0.5)
    assert_matches(ours, reference)
    assert_matches(ours, expected)


def test_integer_operators_follow_python():
    a = torch.randint(-40, 40, (301,), dtype=torch.int32)
    b = (
        torch.randint(1, 9, (301,), dtype=torch.int32)
        * torch.where(torch.rand(301) > 0.5, 1, -1).int()
    )
    ours, reference = both_truths("elementwise.py", "int_arith", a, b)
    expected = a // b + a % b * 3 - (a & 7) + (b | 1) - (a ^ b) + (a > b).int()
    assert torch.equal(ours, reference)
    assert torch.equal(ours, expected)


def test_augmented_store():
    x, out = rand(50), rand(50)
    expected = out.double() + x.double() ** 2
    ours, reference = both_truths("elementwise.py", "accumulate", x, out.clone())
    assert_matches(ours, reference)
    assert_matches(ours, expected)


# -- reductions ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SIZES_2D, ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, GPU_ONLY_BF16], ids=str)
def test_row_sum(shape, dtype):
    x = rand(*shape, dtype=dtype)
    ours, reference = both_truths("reductions.py", "row_sum", x)
    assert ours.dtype == dtype
    assert_matches(ours, reference)
    assert_matches(ours, x.double().sum(1), dtype)


@pytest.mark.parametrize("shape", SIZES_2D, ids=str)
def test_column_max(shape):
    x = rand(*shape)
    ours, reference = both_truths("reductions.py", "column_max", x)
    assert_matches(ours, reference)
    assert_matches(ours, x.double().amax(0))


@pytest.mark.parametrize("dtype", [torch.int32, torch.int64], ids=str)
def test_column_max_of_integers_stays_exact(dtype):
    """Lanes outside the tensor hold the dtype's smallest integer, not a float -inf that would
    round the maximum through float32 (2**24 + 1 and beyond are not float32 numbers)."""
    big = 2**30 if dtype == torch.int32 else 2**40
    x = torch.randint(-big, big, (11, 37), dtype=dtype) | 1  # odd: none is a float32 number
    ours, reference = both_truths("reductions.py", "column_max", x)
    assert ours.dtype == dtype
    assert torch.equal(ours, reference)
    assert torch.equal(ours, x.amax(0))


@pytest.mark.parametrize("shape", [(1, 2), (7, 13), (9, 130)], ids=str)
def test_row_statistics(shape):
    x = rand(*shape)
    ours, reference = both_truths("reductions.py", "row_stats", x)
    d = x.double()
    values, indices = d.min(dim=1)
    expected = torch.stack(
        [d.mean(1), d.amin(1), d.argmax(1).double(), d.var(1), values + indices, d.logsumexp(1)], 1
    )
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("name", ["softmax", "softmax_builtin", "softmax_two_pass"])
@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (3, 300)], ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, GPU_ONLY_BF16], ids=str)
def test_softmax(name, shape, dtype):
    x = rand(*shape, dtype=dtype) * 3
    ours, reference = both_truths("reductions.py", name, x)
    assert_matches(ours, reference, dtype)
    assert_matches(ours, torch.softmax(x.double(), dim=1), dtype)


def test_log_softmax():
    x = rand(11, 37) * 3
    ours, reference = both_truths("reductions.py", "log_softmax", x)
    assert_matches(ours, reference)
    assert_matches(ours, torch.log_softmax(x.double(), dim=-1))


@pytest.mark.parametrize("shape", [(1, 1), (9, 31), (4, 257)], ids=str)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, GPU_ONLY_BF16], ids=str)
def test_layer_norm(shape, dtype):
    x, weight, bias = (
        rand(*shape, dtype=dtype),
        rand(shape[1], dtype=dtype),
        rand(shape[1], dtype=dtype),
    )
    ours, reference = both_truths("reductions.py", "layer_norm", x, weight, bias)
    expected = F.layer_norm(x.double(), (shape[1],), weight.double(), bias.double(), eps=1e-5)
    assert_matches(ours, reference, dtype)
    assert_matches(ours, expected, dtype)


@pytest.mark.parametrize("shape", [(1, 1), (9, 31), (4, 257)], ids=str)
def test_rms_norm(shape):
    x, weight = rand(*shape), rand(shape[1])
    ours, reference = both_truths("reductions.py", "rms_norm", x, weight)
    d = x.double()
    expected = d * torch.rsqrt(d.pow(2).mean(-1, keepdim=True) + 1e-6) * weight.double()
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("shape", [(1, 3), (13, 101)], ids=str)
def test_cross_entropy(shape):
    logits = rand(*shape) * 4
    labels = torch.randint(0, shape[1], (shape[0],))
    ours, reference = both_truths("reductions.py", "cross_entropy", logits, labels)
    expected = F.cross_entropy(logits.double(), labels, reduction="none")
    assert_matches(ours, reference)
    assert_matches(ours, expected)


@pytest.mark.parametrize("shape", [(1, 1), (5, 1000), (17, 129)], ids=str)
def test_long_sum_inner_loop(shape):
    x = rand(*shape)
    ours, reference = both_truths("reductions.py", "long_sum", x)
    assert_matches(ours, reference)
    torch.testing.assert_close(ours.double(), x.double().sum(1), atol=1e-4, rtol=1e-5)


@pytest.mark.parametrize("shape", [(1, 1), (6, 77)], ids=str)
def test_cumsum(shape):
    x = rand(*shape)
    ours, reference = both_truths("reductions.py", "cumsum_rows", x)
    assert_matches(ours, reference)
    torch.testing.assert_close(ours.double(), 2 * x.double().cumsum(1), atol=1e-4, rtol=1e-5)


def test_reductions_over_empty_rows():
    x = torch.empty(4, 0)
    ours, reference = both_truths("reductions.py", "row_sum", x)
    assert torch.equal(ours, torch.zeros(4))
    assert torch.equal(reference, torch.zeros(4))


# -- the rest of the language tranche --------------------------------------------------------


def test_language_bits():
    x, flags = rand(9, 21), rand(9, 21)
    ours, reference = both_truths("elementwise.py", "language_bits", x, flags)
    d = x.double()
    negated = -d / (21**0.5)
    flipped = torch.where(~(flags.double() > 0), negated, d.abs())
    column = torch.arange(21, dtype=torch.float64)[None, :]
    rows = torch.arange(9, dtype=torch.float64)[:, None]
    assert_matches(ours, flipped + column * 0.001 + rows + d)
    # the reference covers each tile loop whole, so only the tile-independent parts agree
    assert_matches(ours - column * 0.001, reference - column * 0.001)


def test_promotion_of_int_and_float():
    a = torch.randint(1, 20, (37,), dtype=torch.int32)
    b = rand(37, dtype=torch.float16)
    ours, reference = both_truths("elementwise.py", "promote", a, b)
    expected = a.double() * 0.5 + b.double() / a.double()
    assert_matches(ours, reference, torch.float16)
    assert_matches(ours, expected, torch.float16)


def test_half_precision_sums_accumulate_in_float32():
    x = torch.ones(2, 3001, dtype=torch.float16)  # float16 accumulation sticks at 2048
    ours, _ = both_truths("reductions.py", "row_sum", x)
    assert ours.dtype == torch.float16
    assert ours.tolist() == [3000.0, 3000.0]  # 3001 rounds to 3000 only at the final store
    assert x.sum(1, dtype=torch.float16).tolist() == [3000.0, 3000.0]


def test_int64_offsets_when_storage_is_huge():
    """Offsets past 2**31 elements: the launcher switches the kernel to int64 index arithmetic."""
    storage = torch.empty(2**31 + 8, dtype=torch.uint8, device=DEVICE)  # 2 GiB
    x = storage.as_strided((3,), (2**30,))
    x.copy_(torch.tensor([3, 5, 7], dtype=torch.uint8))
    y = torch.ones(3, dtype=torch.uint8, device=DEVICE)
    source = kernel_source("elementwise.py")
    module = load_module(transpiler.transpile(source, example_args={"add": (x, y)}), stem="add64")
    assert module.add(x, y).tolist() == [4, 6, 8]  # without int64 offsets: a crash or garbage


def test_views_and_like_allocations():
    x = rand(37, 45)
    ours, reference = both_truths("elementwise.py", "views", x)
    d = x.double()

    def expected_with_tiles(block_m: int, block_n: int) -> torch.Tensor:
        result = torch.empty_like(d)
        for i in range(0, d.shape[0], block_m):
            for j in range(0, d.shape[1], block_n):
                tile = d[i : i + block_m, j : j + block_n]
                result[i : i + block_m, j : j + block_n] = (
                    tile + 0.5 + tile.sum(1, keepdim=True) + tile.sum(0, keepdim=True)
                )
        return result

    assert_matches(ours, expected_with_tiles(32, 32))  # the kernel's default tiles: sums per tile
    assert_matches(reference, expected_with_tiles(37, 45))  # reference mode: one whole tile
