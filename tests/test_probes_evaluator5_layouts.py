"""Evaluator-style probes of layouts and loops (round 5): outputs allocated transposed or passed
in as step views, narrowed / unsqueezed / expanded inputs, reductions over dim 0 and with
keepdim, min / max pairs with ties, argmax / argmin with ties and NaN, `hl.tile(a, b)` over part
of a cloned output, `hl.grid` of two dims, nested tiles over 3-D tensors, accumulators started
from an input, in-place updates, three outputs of three dtypes, 0-d and one-element tensors,
`hl.specialize`, empty and size-1 dims, odd sizes, scans along rows and columns. Each against
float64 torch. Found and fixed here: `.clone()` / `.detach()` of a block were refused ("did you
mean long?"); a block is a value, its own copy."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import generated
from torch_answers import assert_computes_as_torch

HEADER = """
import torch
import helion
import helion.language as hl
"""
SAME = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for TILES in hl.tile(x.size()):
        out[TILES] = EXPRESSION
    return out
"""
ROWS = """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=OUT, device=x.device)
    for tm in hl.tile(m):
        out[tm] = EXPRESSION
    return out
"""

CLONE_RANGE = """
@helion.kernel()
def k(x: torch.Tensor, a: int, b: int) -> torch.Tensor:
    out = x.clone()
    for t in hl.tile(a, b):
        out[t] = x[t] * 10
    return out
"""


def same(expression, tiles="tm, tn"):
    return SAME.replace("EXPRESSION", expression).replace("TILES", tiles)


def rows(expression, out="x.dtype"):
    return ROWS.replace("EXPRESSION", expression).replace("OUT", out)


def r(*shape):
    return torch.randn(*shape)


def with_nans(x, rows, cols):
    return x.index_put_((torch.tensor(rows), torch.tensor(cols)), torch.tensor(float("nan")))


def ties(*shape):
    return torch.randint(0, 3, shape).float()


# (name, kernel source (its kernel is `k`), make the arguments, torch's answer)
CASES = [
    ("output_allocated_transposed", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device).t()
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] * 2
    return out
""", lambda: (r(13, 29),), lambda x: x * 2),
    ("output_passed_as_a_step_view", """
@helion.kernel()
def k(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tm, tn in hl.tile(x.size()):
        out[tm, tn] = x[tm, tn] + 1
    return out
""", lambda: (r(13, 29), torch.zeros(13, 58)[:, ::2]), lambda x, out: x + 1),
    ("narrowed_input", same("x[tm, tn] * x[tm, tn]"), lambda: (r(13, 40).narrow(1, 3, 29),),
     lambda x: x * x),
    ("transposed_then_unsqueezed_3d", same("x[ta, tb, tc] - 1", "ta, tb, tc"),
     lambda: (r(13, 29).t().unsqueeze(1),), lambda x: x - 1),
    ("expanded_3d_rows_summed", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tb, tm in hl.tile([b, m]):
        out[tb, tm] = x[tb, tm, :].sum(-1)
    return out
""", lambda: (r(1, 7, 1).expand(3, 7, 5),), lambda x: x.sum(-1)),
    ("columns_summed_keepdim_of_transposed", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([1, n], dtype=x.dtype, device=x.device)
    for tn in hl.tile(n):
        out[:, tn] = x[:, tn].sum(0, keepdim=True)
    return out
""", lambda: (r(29, 13).t(),), lambda x: x.sum(0, keepdim=True)),
    ("min_pair_over_dim0_with_ties", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    values = torch.empty([n], dtype=x.dtype, device=x.device)
    indices = torch.empty([n], dtype=torch.int64, device=x.device)
    for tn in hl.tile(n):
        v, i = torch.min(x[:, tn], dim=0)
        values[tn] = v
        indices[tn] = i
    return values, indices
""", lambda: (ties(13, 29),), lambda x: tuple(torch.min(x, 0))),
    ("max_keepdim_by_attribute_with_ties", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = x.size()
    values = torch.empty([m, 1], dtype=x.dtype, device=x.device)
    indices = torch.empty([m, 1], dtype=torch.int64, device=x.device)
    for tm in hl.tile(m):
        found = x[tm, :].max(dim=-1, keepdim=True)
        values[tm, :] = found.values
        indices[tm, :] = found.indices
    return values, indices
""", lambda: (ties(13, 29),), lambda x: tuple(x.max(-1, keepdim=True))),
    ("argmax_of_rows_with_ties", rows("torch.argmax(x[tm, :], dim=1)", "torch.int64"),
     lambda: (torch.randint(0, 2, (13, 29)).float(),), lambda x: x.argmax(1)),
    ("argmin_of_rows_with_nan", rows("x[tm, :].argmin(-1)", "torch.int64"),
     lambda: (with_nans(r(13, 29), [2, 5, 5], [3, 28, 7]),), lambda x: x.argmin(-1)),
    ("argmax_over_dim0_with_ties", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n], dtype=torch.int64, device=x.device)
    for tn in hl.tile(n):
        out[tn] = x[:, tn].argmax(0)
    return out
""", lambda: (torch.randint(0, 2, (37, 13)).float(),), lambda x: x.argmax(0)),
    ("tile_between_arguments_of_a_clone", CLONE_RANGE, lambda: (r(37), 5, 30),
     lambda x, a, b: torch.cat([x[:a], x[a:b] * 10, x[b:]])),
    ("an_empty_range_leaves_the_clone", CLONE_RANGE, lambda: (r(37), 30, 5), lambda x, a, b: x),
    ("tile_between_sizes_reading_behind", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.zeros_like(x)
    for t in hl.tile(3, n - 2, block_size=16):
        out[t] = x[t] + x[t.index - 1]
    return out
""", lambda: (r(37),),
     lambda x: torch.cat([torch.zeros(3, dtype=x.dtype), x[3:35] + x[2:34], torch.zeros(2, dtype=x.dtype)])),
    ("grid_of_two_dims_summing_a_third", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    a, b, c = x.size()
    out = torch.empty([a, b], dtype=x.dtype, device=x.device)
    for i, j in hl.grid([a, b]):
        out[i, j] = x[i, j, :].sum() * 2
    return out
""", lambda: (r(3, 5, 7),), lambda x: x.sum(-1) * 2),
    ("inner_tile_over_the_middle_of_3d", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, n], dtype=x.dtype, device=x.device)
    for tb, tn in hl.tile([b, n]):
        acc = hl.zeros([tb, tn], dtype=torch.float32)
        for tm in hl.tile(m):
            acc += x[tb, tm, tn].sum(1)
        out[tb, tn] = acc
    return out
""", lambda: (r(3, 37, 7),), lambda x: x.sum(1)),
    # fixed: .clone() / .detach() of a block (were refused with "did you mean long?")
    ("accumulator_cloned_from_an_input", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = y.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        acc = x[tm].clone()
        for tn in hl.tile(n):
            acc = acc + y[tm, tn].sum(1)
        out[tm] = acc
    return out
""", lambda: (r(13), r(13, 37)), lambda x, y: x + y.sum(1)),
    ("clone_updated_original_kept", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    a = torch.empty_like(x)
    b = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        v = x[t]
        w = v.clone()
        w = w * 2
        w += 1
        a[t] = v
        b[t] = w
    return a, b
""", lambda: (r(37),), lambda x: (x, x * 2 + 1)),
    ("detached_and_cloned_rows", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        row = x[tm, :].detach().clone()
        out[tm, :] = row - torch.clone(row.amax(-1, keepdim=True))
    return out
""", lambda: (r(13, 29),), lambda x: x - x.amax(-1, keepdim=True)),
    ("in_place_into_an_argument", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    for t in hl.tile(x.size()):
        x[t] += y[t] * 2
    return x
""", lambda: (r(13, 29), r(13, 29)), lambda x, y: x + y * 2),
    ("two_in_place_updates", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    out = torch.ones_like(x)
    for t in hl.tile(x.size(0)):
        out[t] += x[t]
        out[t] *= 3
    return out
""", lambda: (r(37),), lambda x: (1 + x) * 3),
    ("three_outputs_three_dtypes", """
@helion.kernel()
def k(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    a = torch.empty_like(x)
    b = torch.empty(x.size(), dtype=torch.bool, device=x.device)
    c = torch.empty(x.size(), dtype=torch.int32, device=x.device)
    for t in hl.tile(x.size(0)):
        v = x[t]
        a[t] = v.half().float()
        b[t] = v > 0
        c[t] = (v * 4).int()
    return a, b, c
""", lambda: (r(37),), lambda x: (x.half().double(), x > 0, (x.float() * 4).int())),
    ("zero_dim_tensor_scale", """
@helion.kernel()
def k(x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] * s
    return out
""", lambda: (r(37), torch.tensor(2.5)), lambda x, s: x * s),
    ("one_element_tensor_read_at_0", """
@helion.kernel()
def k(x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        out[t] = x[t] + s[0]
    return out
""", lambda: (r(37), torch.tensor([2.5])), lambda x, s: x + s[0]),
    ("specialized_width_divides", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    n = hl.specialize(n)
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        out[tm] = x[tm, :].sum(-1) / n
    return out
""", lambda: (r(13, 29),), lambda x: x.mean(-1)),
    ("no_rows", same("x[tm, tn] + 1"), lambda: (r(0, 29),), lambda x: x + 1),
    ("rows_of_no_columns_summed", rows("x[tm, :].sum(-1)"), lambda: (r(5, 0),),
     lambda x: x.sum(-1)),
    ("softmax_of_one_element", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        out[tm, :] = torch.softmax(x[tm, :], dim=-1)
    return out
""", lambda: (r(1, 1),), lambda x: torch.softmax(x, -1)),
    ("half_rows_of_1000_normalized", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        row = x[tm, :].float()
        mu = row.mean(-1, keepdim=True)
        var = ((row - mu) ** 2).mean(-1, keepdim=True)
        out[tm, :] = ((row - mu) * torch.rsqrt(var + 1e-5)).to(x.dtype)
    return out
""", lambda: (r(7, 1000).half(),), lambda x: F.layer_norm(x, (1000,), eps=1e-5)),
    ("half_products_summed_in_float32_over_129", """
@helion.kernel()
def k(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=torch.float16, device=x.device)
    for tm in hl.tile(m):
        acc = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            acc += (x[tm, tn].float() * y[tm, tn].float()).sum(-1)
        out[tm] = acc.to(torch.float16)
    return out
""", lambda: (r(11, 129).half(), r(11, 129).half()), lambda x, y: (x * y).sum(-1)),
    ("cumsum_down_columns", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tn in hl.tile(n):
        out[:, tn] = torch.cumsum(x[:, tn], dim=0)
    return out
""", lambda: (r(37, 13),), lambda x: x.cumsum(0)),
    ("cumprod_of_int_rows", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.int64, device=x.device)
    for tm in hl.tile(m):
        out[tm, :] = torch.cumprod(x[tm, :], dim=1)
    return out
""", lambda: (torch.randint(-2, 3, (5, 29), dtype=torch.int32),), lambda x: x.cumprod(1)),
    ("cummax_and_logcumsumexp_of_rows", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        out[tm, :] = torch.cummax(x[tm, :], dim=1).values + torch.logcumsumexp(x[tm, :], dim=1)
    return out
""", lambda: (r(5, 29),), lambda x: x.cummax(1).values + x.logcumsumexp(1)),
    ("grid_rows_looped_by_an_argument", """
@helion.kernel()
def k(x: torch.Tensor, reps: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for i in hl.grid(m):
        acc = x[i, :]
        for j in range(reps):
            acc = acc * 0.5 + 1.0
        out[i, :] = acc
    return out
""", lambda: (r(5, 29), 3), lambda x, reps: ((x * 0.5 + 1) * 0.5 + 1) * 0.5 + 1),
    ("branch_on_a_float_argument", """
@helion.kernel()
def k(x: torch.Tensor, scale: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for t in hl.tile(x.size(0)):
        v = x[t]
        if scale > 0:
            v = v * scale
        else:
            v = -v
        out[t] = v
    return out
""", lambda: (r(37), -2.0), lambda x, s: -x),
    ("unit_block_rows_of_odd_width", """
@helion.kernel()
def k(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n], block_size=[1, 32]):
        out[tm, tn] = x[tm, tn] * 2
    return out
""", lambda: (r(5, 37),), lambda x: x * 2),
]  # fmt: skip


@pytest.mark.parametrize(
    ("source", "make", "truth"), [pytest.param(*row[1:], id=row[0]) for row in CASES]
)
def test_the_layout_computes_as_torch(source, make, truth):
    assert_computes_as_torch(HEADER + source, make, truth)


def test_amax_along_no_columns_raises_as_torch():
    x = torch.randn(5, 0)
    with pytest.raises(IndexError, match="amax\\(\\) along a dimension of size 0"):
        generated(HEADER + rows("x[tm, :].amax(-1)"), "k", x)(x)
    with pytest.raises(IndexError):
        x.amax(-1)
