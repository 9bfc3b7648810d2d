"""An outside evaluator's probes that found the constructs right, kept as tests: reductions
with keepdim and negative dims, torch.where with number branches, index arithmetic with `%` of
negatives, clamp with one bound, chained comparisons, builtin max / min, abs of the least int,
scans along tiles, `out[tile] +=` across loops, two outputs, an in-place kernel on a
transposed input, tiles larger than their dim, `hl.tile(begin, end)` and `block_size=`, inner
tiles, half-precision activations, 0-d tensor and int8 promotion, expanded (stride-0) and
step-sliced inputs, `torch.zeros_like` / `full_like` in a loop, `hl.full` of -inf, tile.id /
begin / end and `hl.arange(block_size)`. Each against float64 torch and compiled for sm_90."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import device_args, generated

import transpiler

HEADER = """
import torch
import torch.nn.functional as F
import transpiler as helion
import transpiler.language as hl
"""
ELEMENTWISE = """
@helion.kernel(CONFIG)
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=OUT, device=x.device)
    for t in hl.tile(x.size()):
        out[t] = EXPRESSION
    return out
"""


def _int32(low=-50, high=50, n=37):
    return torch.randint(low, high, (n,), dtype=torch.int32)


def _split(x, block, function):
    return torch.cat([function(c) for c in x.split(block)])


def elementwise(expression, out="x.dtype", config=""):
    return (
        ELEMENTWISE.replace("EXPRESSION", expression).replace("OUT", out).replace("CONFIG", config)
    )


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("where_number_branches_of_half", elementwise("torch.where(x[t] > 0, 1.5, -2.25)", "torch.float32"),
     lambda: (torch.randn(37).half(),), lambda x: torch.where(x > 0, 1.5, -2.25)),
    ("int_modulo_and_floor_by_negative_literals", elementwise("x[t] // -3 + x[t] % -4 * 100"),
     lambda: (_int32(),), lambda x: x // -3 + x % -4 * 100),
    ("clamp_only_min_and_only_max", elementwise("torch.clamp(x[t], min=-3) * 10 + x[t].clamp(max=4)"),
     lambda: (_int32(-9, 9),), lambda x: torch.clamp(x, min=-3) * 10 + x.clamp(max=4)),
    ("clamp_of_ints_by_a_float", elementwise("torch.clamp(x[t], min=-2.5)", "torch.float32"),
     lambda: (_int32(-9, 9),), lambda x: torch.clamp(x, min=-2.5)),
    ("chained_comparison_as_and", elementwise("(-0.5 < x[t]) & (x[t] < 0.5)", "torch.bool"),
     lambda: (torch.randn(37),), lambda x: (-0.5 < x) & (x < 0.5)),
    ("builtin_max_and_min_with_numbers", elementwise("max(x[t], 0.0) + min(x[t], 1)"),
     lambda: (torch.randn(13, 29).t(),), lambda x: x.clamp(min=0) + x.clamp(max=1)),
    ("abs_of_int32_min", elementwise("torch.abs(x[t]) // 2"),
     lambda: (torch.tensor([-2**31, 5, -7, 2**31 - 1] * 9 + [-2**31], dtype=torch.int32),),
     lambda x: torch.abs(x) // 2),
    ("abs_of_int64_min", elementwise("x[t].abs()"),
     lambda: (torch.tensor([-2**63, 5, -7] * 12 + [-2**63]),), lambda x: x.abs()),
    ("int8_times_a_literal_then_floor", elementwise("(x[t] * 100) // 3"),
     lambda: (torch.randint(-100, 100, (37,), dtype=torch.int8),), lambda x: (x * 100) // 3),
    ("int8_plus_a_literal_compared", elementwise("(x[t] + 100) > 0", "torch.bool"),
     lambda: (torch.randint(-100, 100, (37,), dtype=torch.int8),), lambda x: (x + 100) > 0),
    ("sigmoid_of_a_tile_larger_than_the_dims",
     elementwise("x[t].sigmoid()", config="config=helion.Config(block_sizes=[64, 64])"),
     lambda: (torch.randn(13, 29),), lambda x: x.sigmoid()),
    ("gelu_tanh_of_half", elementwise('F.gelu(x[t], approximate="tanh")'),
     lambda: ((torch.randn(13, 29) * 4).half(),), lambda x: F.gelu(x, approximate="tanh")),
    ("silu_of_half", elementwise("F.silu(x[t])"),
     lambda: ((torch.randn(3, 5, 7) * 4).half(),), lambda x: F.silu(x)),
    ("sigmoid_and_exp_of_half", elementwise("torch.sigmoid(x[t]) + torch.exp(x[t] / 4)"),
     lambda: ((torch.randn(37) * 4).half(),), lambda x: torch.sigmoid(x) + torch.exp(x / 4)),
    ("softplus_beta_threshold", elementwise("F.softplus(x[t], beta=2.0, threshold=3.0)"),
     lambda: (torch.randn(37) * 4,), lambda x: F.softplus(x, beta=2.0, threshold=3.0)),
    ("piecewise_activations", elementwise(
        "F.leaky_relu(x[t], 0.2) + F.hardtanh(x[t], -0.5, 2.0) + F.relu6(x[t] * 3) + F.hardsigmoid(x[t])"),
     lambda: (torch.randn(37) * 4,),
     lambda x: F.leaky_relu(x, 0.2) + F.hardtanh(x, -0.5, 2.0) + F.relu6(x * 3) + F.hardsigmoid(x)),
    ("step_sliced_product", elementwise("x[t] * x[t]"),
     lambda: (torch.randn(111)[::3],), lambda x: x * x),
    ("expanded_input_plus_one", elementwise("x[t] + 1"),
     lambda: (torch.randn(13, 1).expand(13, 29),), lambda x: x + 1),
    ("centred_rows_keepdim_negative_dim", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for t in hl.tile(m):
        row = x[t, :]
        out[t, :] = row - row.mean(dim=-1, keepdim=True)
    return out
""", lambda: (torch.randn(29, 13).t(),), lambda x: x - x.mean(-1, keepdim=True)),
    ("roll_by_index_modulo", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for t in hl.tile(n):
        out[t] = x[(t.index - 3) % n]
    return out
""", lambda: (torch.randn(37),), lambda x: torch.roll(x, 3)),
    ("negative_int_argument_floor_and_modulo", """
@helion.kernel()
def k(x: torch.Tensor, s: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * (s // 2) + (s % 3)
    return out
""", lambda: (torch.randn(37), -7), lambda x, s: x * (s // 2) + (s % 3)),
    ("cumsum_of_int32_along_tiles", """
@helion.kernel(config=helion.Config(block_sizes=[8]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = torch.cumsum(x[t], dim=0)
    return out
""", lambda: (_int32(-9, 9),), lambda x: _split(x, 8, lambda c: c.cumsum(0))),
    ("cumprod_of_half_rows", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for t in hl.tile(m):
        out[t, :] = torch.cumprod(x[t, :], dim=-1)
    return out
""", lambda: ((torch.rand(13, 29) + 0.5).half(),), lambda x: torch.cumprod(x, -1)),
    ("cumsum_of_a_comparison", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.int64, device=x.device)
    for t in hl.tile(m):
        out[t, :] = torch.cumsum(x[t, :] > 0, dim=1)
    return out
""", lambda: (torch.randn(13, 29),), lambda x: torch.cumsum(x > 0, 1)),
    ("reverse_cumprod_and_cumsum_of_tiles", """
@helion.kernel(config=helion.Config(block_sizes=[16]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = hl.cumprod(x[t], 0, reverse=True) + hl.cumsum(x[t], 0, reverse=True)
    return out
""", lambda: (torch.rand(37) + 0.5,),
     lambda x: _split(x, 16, lambda c: c.flip(0).cumprod(0).flip(0) + c.flip(0).cumsum(0).flip(0))),
    ("out_accumulated_over_inner_tiles", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        for tn in hl.tile(n):
            out[tm] += x[tm, tn].sum(-1)
    return out
""", lambda: (torch.randn(13, 29),), lambda x: x.sum(-1)),
    ("out_accumulated_over_a_range", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for t in hl.tile(x.size(0)):
        for j in range(4):
            out[t] += x[t] * j
    return out
""", lambda: (torch.randn(37),), lambda x: x * 6),
    ("two_outputs_of_max", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    mx = torch.empty([m], dtype=x.dtype, device=x.device)
    idx = torch.empty([m], dtype=torch.int64, device=x.device)
    for t in hl.tile(m):
        v, i = x[t, :].max(dim=-1)
        mx[t] = v
        idx[t] = i
    return mx, idx
""", lambda: (torch.randn(13, 29).t(),), lambda x: tuple(x.max(dim=-1))),
    ("in_place_on_a_transposed_input", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    for t in hl.tile(x.size()):
        x[t] = x[t] * 2 + 1
    return x
""", lambda: (torch.randn(29, 13).t(),), lambda x: x * 2 + 1),
    ("tiles_from_a_begin_to_an_end", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for t in hl.tile(5, x.size(0) - 3):
        out[t] = x[t] + 1
    return out
""", lambda: (torch.randn(37),), lambda x: torch.cat([x[:5] * 0, x[5:34] + 1, x[34:] * 0])),
    ("tile_max_with_block_size_keyword", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0), block_size=16):
        out[t] = x[t] - x[t].amax(0)
    return out
""", lambda: (torch.randn(37),), lambda x: _split(x, 16, lambda c: c - c.amax())),
    ("inner_tile_dot_by_sums", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        acc = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            acc += (x[tm, tn] * y[tn][None, :]).sum(1)
        out[tm] = acc
    return out
""", lambda: (torch.randn(13, 29), torch.randn(29)), lambda x, y: x @ y),
    ("zero_dim_float64_times_int32", """
@helion.kernel()
def k(x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.float64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * s
    return out
""", lambda: (_int32(-9, 9), torch.tensor(0.1, dtype=torch.float64)), lambda x, s: x * s),
    ("zero_dim_int64_times_int8_floored", """
@helion.kernel()
def k(x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = (x[t] * s) // 3
    return out
""", lambda: (torch.randint(-100, 100, (37,), dtype=torch.int8), torch.tensor(7)),
     lambda x, s: (x * s) // 3),
    ("int8_products_summed_in_int64", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = (x[t, :] * y[t, :]).sum(-1)
    return out
""", lambda: (torch.randint(-100, 100, (13, 29), dtype=torch.int8),
              torch.randint(-100, 100, (29, 13), dtype=torch.int8).t()),
     lambda x, y: (x * y).sum(-1)),  # (the int8 product wraps, as torch's)
    ("sum_of_an_expanded_row", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)
    for tm in hl.tile(x.size(0)):
        out[tm] = x[tm, :].sum(-1)
    return out
""", lambda: (torch.randn(1, 29).expand(13, 29),), lambda x: x.sum(-1)),
    ("sum_of_two_negative_dims_kept", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), 1, 1], dtype=x.dtype, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t, :, :] = x[t, :, :].sum(dim=(-2, -1), keepdim=True)
    return out
""", lambda: (torch.randn(3, 5, 7).permute(2, 0, 1),), lambda x: x.sum((-2, -1), keepdim=True)),
    ("amax_kept_along_a_middle_dim", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        v = x[t, :, :]
        out[t, :, :] = v - v.amax(dim=-2, keepdim=True)
    return out
""", lambda: (torch.randn(3, 5, 7),), lambda x: x - x.amax(-2, keepdim=True)),
    ("zeros_like_and_ones_like_in_a_loop", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        z = torch.zeros_like(x[t])
        z = z + x[t].abs()
        out[t] = z + torch.ones_like(x[t], dtype=torch.int32) * 2
    return out
""", lambda: (torch.randn(37),), lambda x: x.abs() + 2),
    ("floor_by_a_full_like", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] // torch.full_like(x[t], 3)
    return out
""", lambda: (torch.randint(-20, 20, (37,)),), lambda x: x // 3),
    ("running_max_from_minus_inf", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        best = hl.full([tm], float("-inf"), dtype=x.dtype)
        for tn in hl.tile(n):
            best = torch.maximum(best, x[tm, tn].amax(1))
        out[tm] = best
    return out
""", lambda: (-torch.rand(13, 29) - 5,), lambda x: x.amax(1)),
    ("partial_sums_by_tile_id", """
@helion.kernel(config=helion.Config(block_sizes=[8]))
def k(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros([(n + 7) // 8], dtype=x.dtype, device=x.device)
    for t in hl.tile(n):
        out[t.id] = x[t].sum()
    return out
""", lambda: (torch.randn(37),), lambda x: torch.stack([c.sum() for c in x.split(8)])),
    ("tile_begin_and_end_as_numbers", """
@helion.kernel(config=helion.Config(block_sizes=[8]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * (t.end - t.begin) + t.begin
    return out
""", lambda: (torch.randn(37),),
     lambda x: torch.cat([c * len(c) + 8 * i for i, c in enumerate(x.split(8))])),
    ("arange_of_the_block_size", """
@helion.kernel(config=helion.Config(block_sizes=[8]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] + hl.arange(t.block_size).to(x.dtype)
    return out
""", lambda: (torch.randn(37),), lambda x: x + torch.arange(37) % 8),
    ("grid_rows_centred_by_their_mean", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(m):
        mean = x[i, :].mean()
        for t in hl.tile(n):
            out[i, t] = x[i, t] - mean
    return out
""", lambda: (torch.randn(13, 29),), lambda x: x - x.mean(1, keepdim=True)),
    ("softmax_along_an_untiled_column", """
@helion.kernel(config=helion.Config(block_sizes=[16]))
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for t in hl.tile(n):
        out[:, t] = torch.softmax(x[:, t], dim=0)
    return out
""", lambda: (torch.randn(13, 29),), lambda x: torch.softmax(x, 0)),
    ("moments_of_partial_tiles", """
@helion.kernel(config=helion.Config(block_sizes=[16]))
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] - x[t].mean() + x[t].var() + x[t].std(0) + torch.log_softmax(x[t], dim=0)
    return out
""", lambda: (torch.randn(37),),
     lambda x: _split(x, 16, lambda c: c - c.mean() + c.var() + c.std(0) + c.log_softmax(0))),
]  # fmt: skip


def _double(value):
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.double()
    return value


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_construct_computes_as_torch(source, make, truth):
    args = make()
    expected = truth(*[_double(a) for a in args])
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    got = generated(HEADER + source, "k", *args)(*fresh)
    pairs = zip(got, expected, strict=True) if isinstance(got, tuple) else [(got, expected)]
    for result, answer in pairs:
        if not answer.is_floating_point():
            assert torch.equal(result.long(), answer.long()), (result, answer)
            continue
        half = result.dtype == torch.float16 or args[0].dtype == torch.float16
        bound = {"rtol": 2e-2, "atol": 2e-2} if half else {"rtol": 1e-5, "atol": 1e-5}
        torch.testing.assert_close(result.double(), answer.double(), **bound)


# kernels_from_source transpiles once without example arguments: a 0-d tensor argument's rank
# is unknown there (the decorator's call specialises on it; the interpreter test runs it)
_ZERO_DIM = {"zero_dim_float64_times_int32", "zero_dim_int64_times_int8_floored"}


@pytest.mark.parametrize(
    ("source", "make"),
    [pytest.param(row[1], row[2], id=row[0]) for row in CASES if row[0] not in _ZERO_DIM],
)
def test_it_compiles_for_sm_90(source, make):
    args = make()
    kernel = transpiler.kernels_from_source(HEADER + source, filename="kernels.py")["k"]
    for compiled in kernel.bind(device_args(args)).compile_for("sm_90"):
        assert "tt.func" in compiled.asm["ttir"]
