"""Probes (round 17) of the hl API as Helion's docs and newest examples use it, written as an ML
engineer would: `hl.load` / `hl.store` with `extra_mask` (a limit, a shifted neighbour, a causal
triangle, a masked scatter), atomics with `sem=` and returned old values, `hl.full` / `hl.zeros`
with tile shapes and int64 values, `torch.where` / `clamp` of ints with floats, int32 products
wrapping into an int64 output, keepdim reductions with negative dims, `hl.constexpr` arguments
(a branch, a width of 6), `hl.register_tunable`, `tile.id` / `tile.count` of a loop from a begin,
`hl.grid(begin, end, step)`, shifts by a tensor and by `tile.index`, `//` and `%` of int8 and
negative divisors, reversed and 3-D tile orders, expanded and transposed arguments. Odd sizes,
fresh inputs, each against torch in float64 (integers exactly), each launch also compiled for
sm_90 (conftest). All computed as torch in round 17 (its fixes: test_probes17_*.py)."""

from __future__ import annotations

import functools
import textwrap

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 37


def f(*shape):
    return signed_rand(*shape).to(DEVICE)


def ints(low, high, *shape, dtype=torch.int32):
    return torch.randint(low, high, shape, dtype=dtype, device=DEVICE)


def B(body: str) -> str:  # noqa: N802 - a kernel body, dedented and indented once
    return textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")


def config(blocks: str) -> str:
    return f"@helion.kernel(config=helion.Config(block_sizes={blocks}))"


def tril_mask(m, n):
    return torch.arange(m)[:, None] >= torch.arange(n)[None, :]


def ored_bits(x, idx):
    return torch.tensor([
        functools.reduce(lambda a, b: a | b, [1 << int(v) for v, j in zip(x % 31, idx) if j == k], 0)
        for k in range(4)
    ])  # fmt: skip


CASES = {  # signature, body, inputs, truth, block sizes (None: the default config)
 "load_extra_mask": ("x: torch.Tensor, limit: int", B("""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = hl.load(x, [tile], extra_mask=tile.index < limit)
        out[tile] = v + 1.0
    return out
 """), lambda: [f(N), 20], lambda x, limit: torch.where(torch.arange(N) < limit, x, 0.0) + 1.0, "[16]"),
 "store_extra_mask_of_values": ("x: torch.Tensor", B("""
    out = torch.full_like(x, -7.0)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        hl.store(out, [tile], v * 2, extra_mask=v > 0)
    return out
 """), lambda: [f(N)], lambda x: torch.where(x > 0, x * 2, -7.0), "[16]"),
 "shifted_load_extra_mask": ("x: torch.Tensor", B("""
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        nxt = hl.load(x, [tile.index + 1], extra_mask=tile.index + 1 < n)
        out[tile] = nxt - x[tile]
    return out
 """), lambda: [f(N)], lambda x: torch.cat([x[1:], torch.zeros(1, dtype=x.dtype)]) - x, "[16]"),
 "atomic_add_sem_release_returns_old": ("x: torch.Tensor, idx: torch.Tensor", B("""
    out = torch.zeros([5], dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [idx[tile]], x[tile], sem="release")
    return out
 """), lambda: [f(41), ints(0, 5, 41, dtype=torch.int64)], lambda x, i: torch.zeros(5, dtype=x.dtype).index_add(0, i, x), "[16]"),
 "atomic_or_bits_acq_rel": ("x: torch.Tensor, idx: torch.Tensor", B("""
    out = torch.zeros([4], dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_or(out, [idx[tile]], 1 << (x[tile] % 31), sem="acq_rel")
    return out
 """), lambda: [ints(-100, 100, 41), ints(0, 4, 41, dtype=torch.int64)],
   ored_bits, "[16]"),
 "hl_full_of_arg": ("x: torch.Tensor, fill: float", B("""
    m, n = x.shape
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        base = hl.full([tm, tn], fill, dtype=x.dtype)
        out[tm, tn] = torch.maximum(base, x[tm, tn])
    return out
 """), lambda: [f(M, N), -0.25], lambda x, v: torch.clamp(x, min=v), "[4, 8]"),
 "hl_zeros_int32_count": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty([m], dtype=torch.int32, device=x.device)
    for tm in hl.tile(m):
        count = hl.zeros([tm], dtype=torch.int32)
        for tn in hl.tile(n):
            count += (x[tm, tn] > 0).sum(-1)
        out[tm] = count
    return out
 """), lambda: [f(M, N)], lambda x: (x > 0).sum(-1), "[4, 8]"),
 "where_int_tensor_float_scalar": ("x: torch.Tensor", B("""
    out = torch.empty(x.shape, dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.where(x[tile] > 0, x[tile], 0.5)
    return out
 """), lambda: [ints(-50, 50, N)], lambda x: torch.where(x > 0, x, 0.5).float(), "[16]"),
 "clamp_int_float_bound": ("x: torch.Tensor", B("""
    out = torch.empty(x.shape, dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.clamp(x[tile], min=-2.5, max=3.5)
    return out
 """), lambda: [ints(-10, 10, N)], lambda x: torch.clamp(x, min=-2.5, max=3.5).float(), "[16]"),
 "int32_product_wraps_into_int64_out": ("x: torch.Tensor", B("""
    out = torch.empty(x.shape, dtype=torch.int64, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 100000
    return out
 """), lambda: [ints(-2**20, 2**20, N)], lambda x: (x.int() * 100000).long(), "[16]"),
 "keepdim_min_pair_negative_dim": ("x: torch.Tensor", B("""
    m, n = x.shape
    vals = torch.empty([m, 1], dtype=x.dtype, device=x.device)
    idx = torch.empty([m, 1], dtype=torch.int64, device=x.device)
    for tm in hl.tile(m):
        v, i = torch.min(x[tm, :], dim=-1, keepdim=True)
        vals[tm, :] = v
        idx[tm, :] = i
    return vals, idx
 """), lambda: [f(M, N)], lambda x: tuple(torch.min(x, dim=-1, keepdim=True)), "[4]"),
 "argmax_keepdim_3d_neg": ("x: torch.Tensor", B("""
    b, m, n = x.shape
    out = torch.empty([b, 1, n], dtype=torch.int64, device=x.device)
    for tb, tn in hl.tile([b, n]):
        out[tb, :, tn] = torch.argmax(x[tb, :, tn], dim=-2, keepdim=True)
    return out
 """), lambda: [f(3, 11, 9)], lambda x: torch.argmax(x, dim=-2, keepdim=True), "[2, 4]"),
 "amax_dim0_keepdim_column_tile": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty_like(x)
    for tn in hl.tile(n):
        col = x[:, tn]
        out[:, tn] = col - col.amax(0, keepdim=True)
    return out
 """), lambda: [f(M, N)], lambda x: x - x.amax(0, keepdim=True), "[8]"),
 "constexpr_false_given": ("x: torch.Tensor, relu: hl.constexpr = True", B("""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile] * 2
        if relu:
            v = torch.relu(v)
        out[tile] = v
    return out
 """), lambda: [f(N), False], lambda x, r: x * 2, "[16]"),
 "tile_id_with_begin": ("x: torch.Tensor", B("""
    n = x.size(0)
    out = torch.zeros([n], dtype=torch.int64, device=x.device)
    for tile in hl.tile(5, n, block_size=4):
        out[tile] = tile.id + tile.index * 0
    return out
 """), lambda: [f(N)], lambda x: torch.cat([torch.zeros(5, dtype=torch.long), torch.tensor([(5 + (i - 5) // 4 * 4) // 4 for i in range(5, N)])]), None),
 "tile_count_with_begin": ("x: torch.Tensor", B("""
    n = x.size(0)
    out = torch.zeros([n], dtype=torch.int64, device=x.device)
    for tile in hl.tile(5, n, block_size=4):
        out[tile] = tile.count + tile.index * 0
    return out
 """), lambda: [f(N)], lambda x: torch.cat([torch.zeros(5, dtype=torch.long), torch.full([N - 5], (N - 5 + 3) // 4)]), None),
 "grid_begin_end_step": ("x: torch.Tensor", B("""
    n = x.size(0)
    out = torch.zeros_like(x)
    for i in hl.grid(1, n, 3):
        out[i] = x[i] * 2
    return out
 """), lambda: [f(N)], lambda x: torch.where(torch.arange(N) % 3 == 1, x * 2, 0.0), None),
 "register_tunable_scale": ("x: torch.Tensor", B("""
    out = torch.empty_like(x)
    chunk = hl.register_tunable("chunk", helion.autotuner.PowerOfTwoFragment(2, 8, 4))
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * chunk
    return out
 """), lambda: [f(N)], lambda x: x * 4, None),
 "shift_by_tensor_amount": ("x: torch.Tensor, s: torch.Tensor", B("""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile] << s[tile]) >> 1
    return out
 """), lambda: [ints(-1000, 1000, N), ints(0, 20, N)], lambda x, s: (x.int() << s.int()) >> 1, "[16]"),
 "floor_div_neg_int8_tensor": ("x: torch.Tensor, y: torch.Tensor", B("""
    q = torch.empty_like(x)
    r = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        q[tile] = x[tile] // y[tile]
        r[tile] = x[tile] % y[tile]
    return q, r
 """), lambda: [ints(-100, 100, N, dtype=torch.int8), torch.where(torch.rand(N) < 0.5, -1, 1).to(torch.int8).to(DEVICE) * ints(1, 9, N, dtype=torch.int8)], lambda x, y: (torch.floor_divide(x, y), torch.remainder(x, y)), "[16]"),
 "int_arg_negative_floor_div": ("x: torch.Tensor, d: int", B("""
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = (tile.index - 20) // d + x[tile] % d
    return out
 """), lambda: [ints(-50, 50, N, dtype=torch.int64), -3], lambda x, d: (torch.arange(N) - 20) // d + x % d, "[16]"),
 "load_2d_causal_mask": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        v = hl.load(x, [tm, tn], extra_mask=tm.index[:, None] >= tn.index[None, :])
        out[tm, tn] = v
    return out
 """), lambda: [f(M, N)], lambda x: torch.where(tril_mask(M, N), x, 0.0), "[4, 8]"),
 "store_2d_causal_mask": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.full_like(x, 5.0)
    for tm, tn in hl.tile([m, n]):
        hl.store(out, [tm, tn], x[tm, tn] * 3, extra_mask=tm.index[:, None] < tn.index[None, :])
    return out
 """), lambda: [f(M, N)], lambda x: torch.where(~tril_mask(M, N), x * 3, 5.0), "[4, 8]"),
 "store_scatter_masked": ("x: torch.Tensor, perm: torch.Tensor", B("""
    out = torch.zeros_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        hl.store(out, [perm[tile]], v, extra_mask=v > 0)
    return out
 """), lambda: [f(N), torch.randperm(N, device=DEVICE)], lambda x, p: torch.zeros_like(x).index_copy(0, p, torch.where(x > 0, x, 0.0)), "[16]"),
 "atomic_cas_old": ("x: torch.Tensor, buf: torch.Tensor", B("""
    old = torch.empty_like(buf)
    for tile in hl.tile(x.size(0)):
        old[tile] = hl.atomic_cas(buf, [tile], x[tile], x[tile] * 10, sem="acq_rel")
    return old, buf
 """), lambda: [ints(0, 3, N), ints(0, 3, N)], lambda x, b: (b.clone(), torch.where(b == x, x * 10, b)), "[16]"),
 "constexpr_width_zeros": ("x: torch.Tensor, K: hl.constexpr", B("""
    m = x.size(0)
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        acc = hl.zeros([tm, K], dtype=torch.float32) + 1.0
        out[tm] = acc.sum(-1) + x[tm]
    return out
 """), lambda: [f(M), 6], lambda x, k: x + 6, "[4]"),
 "full_int_arg": ("x: torch.Tensor, k: int", B("""
    out = torch.empty(x.shape, dtype=torch.int64, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.full([tile], k, dtype=torch.int64) * 3 + x[tile]
    return out
 """), lambda: [ints(-100, 100, N, dtype=torch.int64), 2**35 + 7], lambda x, k: x + (2**35 + 7) * 3, "[16]"),
 "full_float_value_int_dtype": ("x: torch.Tensor", B("""
    out = torch.empty(x.shape, dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = hl.full([tile], -2.7, dtype=torch.int32) + x[tile]
    return out
 """), lambda: [ints(-100, 100, N)], lambda x: torch.full([N], -2.7).to(torch.int32).long() + x, "[16]"),
 "grid_2d_transpose_add": ("x: torch.Tensor", B("""
    n = x.size(0)
    out = torch.empty_like(x)
    for i, j in hl.grid([n, n]):
        out[i, j] = x[i, j] + x[j, i]
    return out
 """), lambda: [f(7, 7)], lambda x: x + x.t(), None),
 "block_size_one_rows": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m, block_size=1):
        out[tm] = x[tm, :].amax(-1) - x[tm, :].amin(-1)
    return out
 """), lambda: [f(M, N)], lambda x: x.amax(-1) - x.amin(-1), None),
 "reversed_tile_order": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty_like(x)
    for tn, tm in hl.tile([n, m]):
        out[tm, tn] = x[tm, tn] * tn.index[None, :] - tm.index[:, None]
    return out
 """), lambda: [f(M, N)], lambda x: x * torch.arange(N)[None, :] - torch.arange(M)[:, None], "[8, 4]"),
 "tile_3d_elementwise": ("x: torch.Tensor", B("""
    a, b, c = x.shape
    out = torch.empty_like(x)
    for ta, tb, tc in hl.tile([a, b, c]):
        out[ta, tb, tc] = x[ta, tb, tc] * (ta.index[:, None, None] + 1) + tc.index[None, None, :]
    return out
 """), lambda: [f(3, 5, 7)], lambda x: x * (torch.arange(3)[:, None, None] + 1) + torch.arange(7)[None, None, :], "[2, 4, 4]"),
 "one_shifted_left_by_index": ("x: torch.Tensor", B("""
    n = x.size(0)
    out = torch.empty([n], dtype=torch.int64, device=x.device)
    for tile in hl.tile(n):
        out[tile] = (x[tile] << (tile.index % 40)) + x[tile]
    return out
 """), lambda: [ints(1, 50, N, dtype=torch.int64)], lambda x: (x << (torch.arange(N) % 40)) + x, "[16]"),
 "expanded_rows_reduced": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        out[tm] = x[tm, :].sum(-1)
    return out
 """), lambda: [f(M)[:, None].expand(M, N)], lambda x: x.sum(-1), "[4]"),
 "out_arg_transposed_int": ("x: torch.Tensor, out: torch.Tensor", B("""
    m, n = x.shape
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = (x[tm, tn] * 100).to(torch.int16)
    return out
 """), lambda: [f(M, N), torch.empty(N, M, dtype=torch.int16, device=DEVICE).t()], lambda x, o: (x.float() * 100).to(torch.int16), "[4, 8]"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_hl_api_probes_compute_as_torch(case):
    signature, body, make, truth, blocks = CASES[case]
    decorator = config(blocks) if blocks else "@helion.kernel()"
    assert_computes_as_torch(kernel(signature, body, decorator), make, truth)
