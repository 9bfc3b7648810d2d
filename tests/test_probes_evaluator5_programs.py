"""Evaluator-style probes of whole programs (round 5): host code around the loops (a reshape to
one dimension and a view back, `.contiguous()`, `math.sqrt` of a size, `empty_like(dtype=)`,
`new_zeros`, the input returned beside the output, an output passed as the input), channels-last
4-D inputs, 3-D reductions over the middle and first dims, `hl.register_block_size`, atomics of
negatives, two loops with host code between, accumulators of max / min / prod over partial
inner tiles, `hl.grid` with a step; all matched float64 torch. And
what is refused at the user's line with the fix: a while on a block of values, a block size
that is no power of two, a transposed store (its hint, `.T`, then runs), `torch.round(...,
decimals=)`, `torch.div(..., rounding_mode=)` of a mode torch does not have ("floor" and
"trunc" compute since round 13b)."""

from __future__ import annotations

import math

import pytest
import torch
from helpers import generated
from torch_answers import assert_computes_as_torch

import transpiler

HEADER = """
import math
import torch
import helion
import helion.language as hl
"""


def r(*shape):
    return torch.randn(*shape)


def every_third_row_from_1(x):
    rows = [x[i] * 2 if i % 3 == 1 else torch.zeros_like(x[i]) for i in range(x.size(0))]
    return torch.stack(rows)


def the_same_tensor_twice():
    x = r(37)
    return (x, x)


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("rows_divided_by_their_sums", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] / x[tm, :].sum(-1)[:, None]
    return out
""", lambda: (r(13, 29).abs() + 0.1,), lambda x: x / x.sum(-1, keepdim=True)),
    ("rows_gathered_by_a_2d_index", """
@helion.kernel()
def k(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    m, n = idx.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        out[tm, :] = x[idx[tm, :]]
    return out
""", lambda: (r(50), torch.randint(0, 50, (7, 9))), lambda x, i: x[i]),
    ("where_filled_by_a_float_argument", """
@helion.kernel()
def k(x: torch.Tensor, fill: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = torch.where(x[t] > 0, x[t], fill)
    return out
""", lambda: (r(37), -3.5), lambda x, f: torch.where(x > 0, x, f)),
    ("divided_and_floored_by_sizes", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] / n + x[tm, tn] // m
    return out
""", lambda: (r(13, 29) * 20,), lambda x: x / 29 + x // 13),
    ("scale_from_math_sqrt_of_a_size", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    scale = 1.0 / math.sqrt(n)
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] * scale
    return out
""", lambda: (r(13, 29),), lambda x: x / math.sqrt(29)),
    ("flattened_on_the_host_viewed_back", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    flat = x.reshape(-1)
    out = torch.empty_like(flat)
    for t in hl.tile(flat.size(0)):
        out[t] = flat[t] * 3
    return out.view(x.size())
""", lambda: (r(29, 13).t(),), lambda x: x * 3),
    ("stored_transposed_as_the_hint_says", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device)
    for tm, tn in hl.tile([m, n]):
        out[tn, tm] = (x[tm, tn] + 1).T
    return out.t()
""", lambda: (r(13, 29),), lambda x: x + 1),
    ("empty_like_with_a_dtype_and_new_zeros", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    a = torch.empty_like(x, dtype=torch.float32)
    b = x.new_zeros(x.size(0), dtype=torch.int32)
    for t in hl.tile(x.size(0)):
        a[t] = x[t].to(a.dtype) * 2
        b[t] = (x[t] > 0).to(b.dtype)
    return a, b
""", lambda: (r(37).half(),), lambda x: (x.float().double() * 2, (x > 0).int())),
    ("the_input_returned_beside_the_output", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] + 1
    return x, out
""", lambda: (r(37),), lambda x: (x, x + 1)),
    ("made_contiguous_on_the_host", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    x = x.contiguous()
    m, n = x.size()
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] - x[tm, :].mean(-1)[:, None]
    return out
""", lambda: (r(29, 13).t(),), lambda x: x - x.mean(-1, keepdim=True)),
    ("grid_from_1_by_3", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for i in hl.grid(1, x.size(0), 3):
        out[i, :] = x[i, :] * 2
    return out
""", lambda: (r(13, 7),), every_third_row_from_1),
    ("output_is_the_input", """
@helion.kernel()
def k(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * 2
    return out
""", the_same_tensor_twice, lambda x, out: x * 2),
    ("int64_times_an_int_past_int32", """
@helion.kernel()
def k(x: torch.Tensor, step: int) -> torch.Tensor:
    out = torch.empty(x.size(), dtype=torch.int64, device=x.device)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * step
    return out
""", lambda: (torch.randint(-9, 9, (37,)), 3_000_000_000), lambda x, s: x * s),
    ("channels_last_bias_relu", """
@helion.kernel()
def k(x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tn, tc, th, tw in hl.tile(x.size()):
        out[tn, tc, th, tw] = torch.relu(x[tn, tc, th, tw] + b[tc][None, :, None, None])
    return out
""", lambda: (r(2, 3, 5, 7).to(memory_format=torch.channels_last), r(3)),
     lambda x, b: torch.relu(x + b[None, :, None, None])),
    ("channels_last_mean_over_height_and_width", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    n, c, h, w = x.size()
    out = torch.empty([n, c], dtype=x.dtype, device=x.device)
    for tn, tc in hl.tile([n, c]):
        out[tn, tc] = x[tn, tc, :, :].mean(dim=(-1, -2))
    return out
""", lambda: (r(2, 3, 5, 7).to(memory_format=torch.channels_last),), lambda x: x.mean((-1, -2))),
    ("middle_dim_summed_keepdim", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, 1, n], dtype=x.dtype, device=x.device)
    for tb, tn in hl.tile([b, n]):
        out[tb, :, tn] = x[tb, :, tn].sum(1, keepdim=True)
    return out
""", lambda: (r(3, 13, 37).transpose(1, 2),), lambda x: x.sum(1, keepdim=True)),
    ("int_argmin_over_the_first_of_3_dims", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    a, b, c = x.size()
    out = torch.empty([b, c], dtype=torch.int64, device=x.device)
    for tb, tc in hl.tile([b, c]):
        out[tb, tc] = x[:, tb, tc].argmin(0)
    return out
""", lambda: (torch.randint(-3, 3, (7, 5, 9), dtype=torch.int32),), lambda x: x.argmin(0)),
    ("registered_block_size_of_an_inner_loop", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    block_n = hl.register_block_size(n)
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        acc = hl.zeros([tm, block_n], dtype=torch.float32)
        for tn in hl.tile(n, block_size=block_n):
            acc += x[tm, tn] * x[tm, tn]
        out[tm] = acc.sum(-1)
    return out
""", lambda: (r(13, 129),), lambda x: (x * x).sum(-1)),
    ("atomic_add_of_negative_ints", """
@helion.kernel()
def k(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([5], dtype=torch.int32, device=x.device)
    for t in hl.tile(x.size(0)):
        hl.atomic_add(out, [idx[t]], x[t])
    return out
""", lambda: (torch.randint(-100, 100, (37,), dtype=torch.int32), torch.randint(0, 5, (37,))),
     lambda x, i: torch.zeros(5, dtype=torch.int32).index_add_(0, i, x)),
    ("atomic_max_of_negatives_from_minus_inf", """
@helion.kernel()
def k(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.full([5], float("-inf"), dtype=torch.float32, device=x.device)
    for t in hl.tile(x.size(0)):
        hl.atomic_max(out, [idx[t]], x[t])
    return out
""", lambda: (-r(37).abs() - 1, torch.arange(37) % 5),
     lambda x, i: torch.full((5,), -math.inf, dtype=x.dtype).scatter_reduce(0, i, x, "amax")),
    ("two_loops_with_a_mean_between", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    sums = torch.zeros([1], dtype=torch.float32, device=x.device)
    for t in hl.tile(n):
        hl.atomic_add(sums, [0], x[t].sum())
    mean = sums / n
    out = torch.empty_like(x)
    for t in hl.tile(n):
        out[t] = x[t] - mean[0]
    return out
""", lambda: (r(1000),), lambda x: x - x.mean()),
    ("running_max_over_partial_inner_tiles", """
@helion.kernel(config=helion.Config(block_sizes=[4, 8]))
def k(x: torch.Tensor) -> torch.Tensor:
    a, b = x.size()
    out = torch.empty([b], dtype=x.dtype, device=x.device)
    for tb in hl.tile(b):
        best = hl.full([tb], float("-inf"), dtype=torch.float32)
        for ta in hl.tile(a):
            best = torch.maximum(best, x[ta, tb].amax(0))
        out[tb] = best
    return out
""", lambda: (-r(37, 13).abs() - 5,), lambda x: x.amax(0)),
    ("running_int_min_over_partial_inner_tiles", """
@helion.kernel(config=helion.Config(block_sizes=[4, 8]))
def k(x: torch.Tensor) -> torch.Tensor:
    a, b = x.size()
    out = torch.empty([b], dtype=x.dtype, device=x.device)
    for tb in hl.tile(b):
        best = hl.full([tb], 2**30, dtype=torch.int32)
        for ta in hl.tile(a):
            best = torch.minimum(best, x[ta, tb].amin(0))
        out[tb] = best
    return out
""", lambda: (torch.randint(5, 1000, (37, 13), dtype=torch.int32),), lambda x: x.amin(0)),
    ("running_product_over_partial_inner_tiles", """
@helion.kernel(config=helion.Config(block_sizes=[4, 8]))
def k(x: torch.Tensor) -> torch.Tensor:
    a, b = x.size()
    out = torch.empty([b], dtype=x.dtype, device=x.device)
    for tb in hl.tile(b):
        acc = hl.full([tb], 1.0, dtype=torch.float32)
        for ta in hl.tile(a):
            acc = acc * x[ta, tb].prod(0)
        out[tb] = acc
    return out
""", lambda: (torch.rand(37, 13) + 0.5,), lambda x: x.prod(0)),
    ("variance_from_sums_of_half_rows", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        s = hl.zeros([tm], dtype=torch.float32)
        ss = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            v = x[tm, tn].float()
            s += v.sum(-1)
            ss += (v * v).sum(-1)
        mean = s / n
        out[tm] = ss / n - mean * mean
    return out
""", lambda: ((r(7, 1000) + 0.5).half(),), lambda x: x.var(-1, unbiased=False)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_program_computes_as_torch(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth)


REFUSED_KERNEL = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device)
    for tm, tn in hl.tile([m, n]):
        STATEMENT
    return out
"""
# (name, the statement, the text the caret is under, error class, words of the message, hint)
REFUSED = [
    # a while on a scalar is lowered since round 14 (test_refused14_while.py); on a block it is not
    ("while_on_a_block", "v = x[tm, tn]\n        while v > 0:\n            v = v - 1",
     "v > 0", "UnsupportedConstructError", "a while condition on a block of values", "torch.where"),
    ("block_size_of_48", "for t in hl.tile(n, block_size=48):\n            out[tn, tm] = x[tm, tn].T",
     "48", "TileArgumentError", "a block size must be a power of two", "masks take care"),
    ("transposed_store", "out[tn, tm] = x[tm, tn] + 1",
     "out[tn, tm]", "ShapeError", "a transposed store", "store `value.T`"),
    ("round_to_decimals", "out[tn, tm] = torch.round(x[tm, tn], decimals=2).T",
     "decimals", "UnsupportedConstructError", "decimals= of torch.round()", "10**d"),
    ("div_rounding_unknown", 'out[tn, tm] = torch.div(x[tm, tn], 3, rounding_mode="round").T',
     'rounding_mode="round"', "UnsupportedConstructError", 'rounding_mode="round"', "x // y"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("statement", "caret", "kind", "message", "hint"),
    [pytest.param(*row[1:], id=row[0]) for row in REFUSED],
)
def test_refused_at_the_users_line_with_the_fix(statement, caret, kind, message, hint):
    source = HEADER + REFUSED_KERNEL.replace("STATEMENT", statement)
    lines = source.splitlines()
    line = next(i for i, text in enumerate(lines, 1) if caret in text and "def " not in text)
    column = lines[line - 1].index(caret) + 1
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(source, "k", torch.randn(13, 29))
    text = str(caught.value)
    assert type(caught.value).__name__ == kind, text
    assert f"kernels.py:{line}:{column}:" in text, text
    assert message in text and "hint:" in text and hint in text, text
