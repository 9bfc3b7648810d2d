"""Probes (round 19) of whole programs as ML engineers write them, which compute as torch:
two device loops where the second reads what the first wrote (host code between them), outputs
made by torch.zeros / torch.full / new_zeros / new_full and accumulated into across inner tiles,
loops over sizes the host code computes (`n // 2`, `n - 1`, `min(n, 100)`, `hl.tile(n // 2,
n)`), halos and stencils (`hl.load(..., extra_mask=)`, a clamped index, a padded copy),
reversed and stepped reads and stores, host views tiled (`x.flip(0)`, `x[::2]`, `x[:, ::2]`:
refused as of unknown rank until round 19), an input updated in place, one program's 0-d
store. Each against torch in float64 on odd sizes, each launch also compiled for sm_90
(conftest)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import DEVICE
from torch_answers import HEADER, assert_computes_as_torch


def rand(*shape):
    return torch.randn(*shape, device=DEVICE)


def positive(*shape):
    return torch.rand(*shape, device=DEVICE) + 0.5


def source(signature: str, body: str) -> str:
    return HEADER + f"\n@helion.kernel()\ndef k({signature}):\n{body}"


X = "x: torch.Tensor"
PROGRAMS = {  # signature, body, inputs, torch's answer
    "two_loops_row_sums_then_scale": (X, """
    m, n = x.shape
    sums = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        sums[tm] = x[tm, :].sum(-1)
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] / sums[tm][:, None]
    return out
""", lambda: [positive(37, 53)], lambda x: x / x.sum(-1, keepdim=True)),
    "two_loops_rows_then_columns": (X, """
    m, n = x.shape
    tmp = torch.empty_like(x)
    for tm in hl.tile(m):
        row = x[tm, :]
        tmp[tm, :] = row - row.amax(-1, keepdim=True)
    out = torch.empty([n], dtype=x.dtype, device=x.device)
    for tn in hl.tile(n):
        out[tn] = tmp[:, tn].sum(0)
    return out
""", lambda: [rand(29, 41)], lambda x: (x - x.amax(-1, keepdim=True)).sum(0)),
    "host_max_between_loops": (X, """
    m, n = x.shape
    mx = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        mx[tm] = x[tm, :].amax(-1)
    g = mx.max()
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = x[tm, tn] - g
    return out
""", lambda: [rand(13, 37)], lambda x: x - x.max()),
    "host_offsets_between_loops": (X, """
    m, n = x.shape
    counts = torch.empty([m], dtype=torch.int64, device=x.device)
    for tm in hl.tile(m):
        counts[tm] = (x[tm, :] > 0).sum(-1)
    offs = torch.cumsum(counts, 0) - counts
    out = torch.empty([m], dtype=torch.int64, device=x.device)
    for tm in hl.tile(m):
        out[tm] = offs[tm] * 2
    return out
""", lambda: [rand(13, 37)], lambda x: (torch.cumsum((x > 0).sum(-1), 0) - (x > 0).sum(-1)) * 2),
    "partials_per_tile_then_softmax": (X, """
    n = x.size(0)
    bs = 32
    partials = torch.empty([(n + bs - 1) // bs], dtype=x.dtype, device=x.device)
    for t in hl.tile(n, block_size=bs):
        partials[t.id] = torch.exp(x[t]).sum()
    total = partials.sum()
    out = torch.empty_like(x)
    for t in hl.tile(n):
        out[t] = torch.exp(x[t]) / total
    return out
""", lambda: [rand(201)], lambda x: torch.softmax(x, 0)),
    "zeros_accumulated_over_inner_tiles": (X, """
    m, n = x.shape
    out = torch.zeros([m], dtype=torch.float32, device=x.device)
    for tm in hl.tile(m):
        for tn in hl.tile(n):
            out[tm] += x[tm, tn].sum(1)
    return out
""", lambda: [rand(23, 77)], lambda x: x.sum(1)),
    "full_minus_inf_running_max": (X, """
    m, n = x.shape
    out = torch.full([m], float("-inf"), dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
        for tn in hl.tile(n):
            out[tm] = torch.maximum(out[tm], x[tm, tn].amax(1))
    return out
""", lambda: [rand(19, 70)], lambda x: x.amax(1)),
    "new_zeros_and_new_full": (X, """
    m, n = x.shape
    total = x.new_zeros(m)
    count = x.new_full((m,), 0.5)
    for tm in hl.tile(m):
        for tn in hl.tile(n):
            v = x[tm, tn]
            total[tm] = total[tm] + (v * v).sum(-1)
            count[tm] += (v > 0).sum(-1)
    return total, count
""", lambda: [rand(21, 45)], lambda x: ((x * x).sum(-1), 0.5 + (x > 0).sum(-1))),
    "an_int32_count_accumulated": (X, """
    m, n = x.shape
    out = torch.zeros([m], dtype=torch.int32, device=x.device)
    for tm in hl.tile(m):
        for tn in hl.tile(n):
            out[tm] += (x[tm, tn] > 0).sum(-1)
    return out
""", lambda: [rand(17, 71)], lambda x: (x > 0).sum(-1).int()),
    "softmax_through_the_output": (X, """
    m, n = x.shape
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        mx = hl.full([tm], float("-inf"), dtype=torch.float32)
        for tn in hl.tile(n):
            mx = torch.maximum(mx, x[tm, tn].amax(1))
        den = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            e = torch.exp(x[tm, tn] - mx[:, None])
            out[tm, tn] = e
            den = den + e.sum(1)
        for tn in hl.tile(n):
            out[tm, tn] = out[tm, tn] / den[:, None]
    return out
""", lambda: [rand(11, 300)], lambda x: torch.softmax(x, 1)),
    "half_of_the_size": (X, """
    n = x.size(0)
    half = n // 2
    out = x.new_empty(half)
    for t in hl.tile(half):
        out[t] = x[t] + x[t.index + half]
    return out
""", lambda: [rand(77)], lambda x: x[:38] + x[38:76]),
    "differences_over_n_minus_1": (X, """
    n = x.size(0)
    out = torch.empty(n - 1, dtype=x.dtype, device=x.device)
    for t in hl.tile(n - 1):
        out[t] = x[t.index + 1] - x[t]
    return out
""", lambda: [rand(101)], lambda x: x[1:] - x[:-1]),
    "min_of_n_and_100": (X, """
    n = min(x.size(0), 100)
    out = torch.zeros_like(x)
    for t in hl.tile(n):
        out[t] = x[t] * 2
    return out
""", lambda: [rand(131)], lambda x: torch.cat([x[:100] * 2, torch.zeros_like(x[100:])])),
    "from_half_to_n": (X, """
    n = x.size(0)
    out = torch.zeros_like(x)
    for t in hl.tile(n // 2, n):
        out[t] = x[t] - x[t.index - n // 2]
    return out
""", lambda: [rand(77)], lambda x: torch.cat([torch.zeros_like(x[:38]), x[38:] - x[:39]])),
    "begin_end_and_block_size": (X, """
    n = x.size(0)
    out = torch.zeros_like(x)
    for t in hl.tile(3, n - 5, block_size=16):
        out[t] = x[t] - x[t.begin]
    return out
""", lambda: [rand(70)], lambda x: torch.cat([torch.zeros_like(x[:3])] + [
        x[b:min(b + 16, 65)] - x[b] for b in range(3, 65, 16)] + [torch.zeros_like(x[:5])])),
    "halo_by_extra_mask": (X, """
    n = x.size(0)
    out = torch.empty_like(x)
    for t in hl.tile(n):
        left = hl.load(x, [t.index - 1], extra_mask=t.index > 0)
        right = hl.load(x, [t.index + 1], extra_mask=t.index < n - 1)
        out[t] = 0.25 * left + 0.5 * x[t] + 0.25 * right
    return out
""", lambda: [rand(67)], lambda x: 0.25 * F.pad(x, (1, 0))[:-1] + 0.5 * x + 0.25 * F.pad(x, (0, 1))[1:]),
    "halo_by_clamped_index": (X, """
    n = x.size(0)
    out = torch.empty_like(x)
    for t in hl.tile(n):
        nxt = torch.clamp(t.index + 1, max=n - 1)
        prv = torch.clamp(t.index - 1, min=0)
        out[t] = x[nxt] - x[prv]
    return out
""", lambda: [rand(53)], lambda x: torch.cat([x[1:], x[-1:]]) - torch.cat([x[:1], x[:-1]])),
    "halo_by_a_padded_copy": (X, """
    n = x.size(0)
    xp = F.pad(x, (1, 1))
    out = torch.empty_like(x)
    for t in hl.tile(n):
        out[t] = xp[t.index] + xp[t.index + 1] + xp[t.index + 2]
    return out
""", lambda: [rand(71)], lambda x: F.pad(x, (1, 1))[:-2] + x + F.pad(x, (1, 1))[2:]),
    "reversed_store": (X, """
    n = x.size(0)
    out = torch.empty_like(x)
    for t in hl.tile(n):
        out[n - 1 - t.index] = x[t] * 3
    return out
""", lambda: [rand(77)], lambda x: x.flip(0) * 3),
    "every_other_read_in_the_loop": (X, """
    n = x.size(0)
    out = x.new_empty((n + 1) // 2)
    for t in hl.tile((n + 1) // 2):
        out[t] = x[t.index * 2]
    return out
""", lambda: [rand(77)], lambda x: x[::2]),
    "flipped_on_the_host": (X, """
    xf = x.flip(0)
    out = torch.empty_like(x)
    for tm, tn in hl.tile(x.size()):
        out[tm, tn] = x[tm, tn] * xf[tm, tn]
    return out
""", lambda: [rand(13, 27)], lambda x: x * x.flip(0)),
    "stepped_on_the_host": (X, """
    ev = x[::2]
    od = x[1::2]
    out = torch.empty_like(od)
    for t in hl.tile(od.size(0)):
        out[t] = ev[t] - od[t]
    return out
""", lambda: [rand(91)], lambda x: x[::2][:45] - x[1::2]),
    "even_columns_tiled_by_their_size": (X, """
    ev = x[:, ::2]
    out = torch.empty_like(ev)
    for tm, tn in hl.tile(ev.size()):
        out[tm, tn] = ev[tm, tn] * 3
    return out
""", lambda: [rand(13, 37)], lambda x: x[:, ::2] * 3),
    "an_input_updated_in_place": ("x: torch.Tensor, y: torch.Tensor", """
    for t in hl.tile(x.size(0)):
        x[t] += y[t] * 0.5
    return x
""", lambda: [rand(83), rand(83)], lambda x, y: x + y * 0.5),
    "one_program_stores_the_0_d_output": (X, """
    out = torch.empty([], dtype=x.dtype, device=x.device)
    for t in hl.tile(x.size(0), block_size=128):
        if t.begin == 0:
            out[()] = x[t].sum()
    return out
""", lambda: [rand(100)], lambda x: x.sum()),
}  # fmt: skip


@pytest.mark.parametrize("case", PROGRAMS)
def test_the_program_computes_as_torch(case):
    signature, body, make, truth = PROGRAMS[case]
    assert_computes_as_torch(source(signature, body), make, truth)


SIZES = {  # a loop's size the host code computes with Python's builtins, the lanes it covers
    "round_of_a_half": ("k = round(x.size(0) * 0.5)", 36),
    "ceil_of_a_half": ("k = int(math.ceil(x.size(0) / 2))", 36),
    "max_of_two": ("k = max(x.size(0) - 80, 10)", 10),
    "abs_of_a_difference": ("k = abs(x.size(0) - 100)", 29),
}


@pytest.mark.parametrize("case", SIZES)
def test_a_size_of_builtins_computes_as_torch(case):
    setup, covered = SIZES[case]
    body = (
        f"    {setup}\n    out = torch.zeros_like(x)\n    for t in hl.tile(k):\n"
        "        out[t] = x[t] + 1\n    return out\n"
    )
    text = source(X, body).replace("import torch\n", "import math\nimport torch\n", 1)
    truth = lambda x: torch.cat([x[:covered] + 1, torch.zeros_like(x[covered:])])  # noqa: E731
    assert_computes_as_torch(text, lambda: [rand(71)], truth)
