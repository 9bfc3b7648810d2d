"""Evaluator-style probes of a kernel's structure (round 11) that compute as torch: an `if` on a
scalar argument, a tile's `.begin` or a number an earlier branch set; loops of a count inside a
device loop (reversed, stepped, from an argument); two device loops with host code between
them (a host sum, a flip, a name rebound); several results, one result twice, an input
returned; defaults and keyword-only arguments changing between calls; one kernel called with
other dtypes, ranks and shapes in turn; nested and several-dimensional tiles under configs of
each pid type. Each against torch in float64; each kernel also compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE

import transpiler as helion
import transpiler.language as hl


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def assert_close(got, expected):
    assert got.shape == expected.shape
    torch.testing.assert_close(got.double().cpu(), expected.double().cpu(), rtol=1e-5, atol=1e-5)


@helion.kernel()
def chosen_by_arguments(x: torch.Tensor, mode: int, flag: bool, scale: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        shift = 0.0
        if mode == 0:
            y = v * scale
        elif mode > 5:
            y = v + scale
            shift = 2.0
        else:
            y = torch.relu(v)
        if flag and mode != 3:
            y = -y
        out[tile] = y + shift
    return out


def chosen_in_torch(x, mode, flag, scale):
    y = x * scale if mode == 0 else x + scale if mode > 5 else torch.relu(x)
    y = -y if flag and mode != 3 else y
    return y + (2.0 if mode > 5 else 0.0)


@pytest.mark.parametrize("mode", [0, 3, 9])
def test_an_if_on_arguments_changing_between_calls_computes_as_torch(mode):
    """One kernel called with every flag and two scales in turn: no specialisation reused."""
    x = floats(301)
    for flag in (True, False, True):
        for scale in (2.5, -0.5):
            got = chosen_by_arguments(x, mode, flag, scale)
            assert_close(got, chosen_in_torch(x.double(), mode, flag, scale))


@helion.kernel()
def signed_by_block(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0), block_size=32):
        w = 1.0
        if tile.begin >= 64:
            w = -1.0
        out[tile] = x[tile] * w + tile.begin
    return out


def test_an_if_on_a_tile_begin_computes_per_block():
    x = floats(301)
    begins = (torch.arange(301, device=DEVICE) // 32 * 32).double()
    signs = torch.where(begins >= 64, -1.0, 1.0).double()
    assert_close(signed_by_block(x), x.double() * signs + begins)


@helion.kernel()
def counted(x: torch.Tensor, start: int) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.shape
    backwards = torch.empty([m], dtype=x.dtype, device=x.device)
    stepped = torch.empty([m], dtype=x.dtype, device=x.device)
    for rows in hl.tile(m):
        acc = hl.zeros([rows], dtype=torch.float32)
        for j in range(n - 1, -1, -1):
            acc = acc * 0.5 + x[rows, j]
        backwards[rows] = acc
        acc = hl.zeros([rows], dtype=torch.float32)
        for j in range(start, n, 3):
            acc = acc * 0.5 + x[rows, j]
        stepped[rows] = acc
    return backwards, stepped


def counted_in_torch(x, start):
    backwards = torch.zeros(x.shape[0], dtype=x.dtype)
    for j in range(x.shape[1] - 1, -1, -1):
        backwards = backwards * 0.5 + x[:, j]
    stepped = torch.zeros(x.shape[0], dtype=x.dtype)
    for j in range(start, x.shape[1], 3):
        stepped = stepped * 0.5 + x[:, j]
    return backwards, stepped


@pytest.mark.parametrize("start", [0, 2, 20])
def test_reversed_and_stepped_range_loops_compute_as_torch(start):
    x = floats(37, 11)
    for got, expected in zip(counted(x, start), counted_in_torch(x.double().cpu(), start)):
        assert_close(got, expected)


@helion.kernel()
def normalised(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    shifted = x * 2
    exps = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        exps[tile] = torch.exp(shifted[tile] * 0.25)
    total = exps.sum()
    shifted = exps.flip(0)
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = exps[tile] / total + shifted[tile]
    return out, out / out.sum()


def test_host_code_between_and_after_device_loops_computes_as_torch():
    x = floats(301)
    exps = torch.exp(x.double() * 0.5)
    out = exps / exps.sum() + exps.flip(0)
    for got, expected in zip(normalised(x), (out, out / out.sum())):
        assert_close(got, expected)


@helion.kernel()
def results(x: torch.Tensor, y: torch.Tensor, *, alpha: float = 1.0, eps: float = 1e-5):
    total = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        total[tile] = x[tile] + alpha * y[tile] + eps
    return total, x, total, total.view(-1)


@pytest.mark.parametrize("keywords", [{}, {"alpha": -2.5}, {"eps": 0.5, "alpha": 0.0}])
def test_results_returned_twice_an_input_and_a_view_keep_what_torch_returns(keywords):
    x, y = floats(301), floats(301)
    total, same_x, again, flat = results(x, y, **keywords)
    alpha, eps = keywords.get("alpha", 1.0), keywords.get("eps", 1e-5)
    assert_close(total, x.double() + alpha * y.double() + eps)
    assert same_x is x and again is total and flat.data_ptr() == total.data_ptr()


@helion.kernel()
def added(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(out.size()):
        out[tile] = x[tile] + y[tile]
    return out


CALLS = [
    ((301,), torch.float32),
    ((7, 43), torch.float64),
    ((3, 4, 25), torch.int32),
    ((17,), torch.float16),
    ((5, 1), torch.int64),
    ((301,), torch.float32),
]


def test_one_kernel_called_with_other_ranks_dtypes_and_shapes_in_turn_computes_as_torch():
    for shape, dtype in CALLS:
        x, y = (floats(*shape) * 10).to(dtype), (floats(*shape) * 10).to(dtype)
        got = added(x, y)
        assert got.dtype == dtype and got.shape == x.shape
        assert torch.equal(got.cpu(), (x + y).cpu()), (shape, dtype)


@helion.kernel()
def noncontiguous_sum(x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, n = x.shape
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] + b[tm, tn] + tm.index[:, None] * 100
    return out


LAYOUTS = {
    "transposed": (lambda: floats(53, 37).t(), lambda: floats(37, 53).t().t()),
    "every_other_column": (lambda: floats(37, 106)[:, ::2], lambda: floats(37, 53)),
    "expanded_row": (lambda: floats(37, 53), lambda: floats(53).expand(37, 53)),
    "expanded_column": (lambda: floats(37, 53), lambda: floats(37, 1).expand(37, 53)),
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_noncontiguous_and_zero_stride_inputs_compute_as_torch(layout):
    make_x, make_b = LAYOUTS[layout]
    x, b = make_x(), make_b()
    rows = torch.arange(x.shape[0], device=DEVICE).double()[:, None] * 100
    assert_close(noncontiguous_sum(x, b), x.double() + b.double() + rows)


def indexed(config):
    @helion.kernel(config=config)
    def indices(x: torch.Tensor) -> torch.Tensor:
        a, b, c = x.shape
        out = torch.empty_like(x)
        for ta, tb, tc in hl.tile([a, b, c]):
            out[ta, tb, tc] = (
                x[ta, tb, tc]
                + ta.index[:, None, None] * 10000
                + tb.index[None, :, None] * 100
                + tc.index[None, None, :]
            )
        return out

    return indices


CONFIGS = {
    "flat": helion.Config(block_sizes=[4, 2, 16], pid_type="flat"),
    "grouped": helion.Config(block_sizes=[4, 4, 4], l2_grouping=4),
    "persistent_blocked": helion.Config(block_sizes=[1, 8, 4], pid_type="persistent_blocked"),
    "persistent_interleaved": helion.Config(
        block_sizes=[2, 2, 8], pid_type="persistent_interleaved"
    ),
}


@pytest.mark.parametrize("config", CONFIGS)
def test_three_dimensional_tiles_under_each_pid_type_reach_every_element(config):
    x = floats(5, 7, 19)
    a, b, c = (torch.arange(size, device=DEVICE).double() for size in x.shape)
    where = a[:, None, None] * 10000 + b[None, :, None] * 100 + c[None, None, :]
    assert_close(indexed(CONFIGS[config])(x), x.double() + where)


@helion.kernel()
def triangle(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for rows in hl.tile(n, block_size=16):
        for cols in hl.tile(rows.begin, n, block_size=16):
            out[rows, cols] = x[rows, cols]
    return out


def test_an_inner_tile_loop_from_the_outer_tile_begin_computes_as_torch():
    x = floats(53, 53)
    expected = torch.zeros_like(x)
    for begin in range(0, 53, 16):
        expected[begin : begin + 16, begin:] = x[begin : begin + 16, begin:]
    assert torch.equal(triangle(x).cpu(), expected.cpu())
