"""Probes (round 15) of values carried across device loops as ML engineers write them: an
online softmax's running max and sum, Welford's mean and M2 with a count of the lanes inside the
tensor, a running argmax, a linear recurrence stored per step, an accumulator set on the first
tile and maxed after, the last tile scaled, a two-pass layer norm, counts of flags, `while`
loops carrying a block, a Python `if` on a loaded scalar in an inner `range`. Blocks that do not
divide (13 x 37 in 4 x 8), each against torch in float64, each launch compiled for sm_90
(conftest). All of these computed as torch in round 15."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 37


def floats(*shape):
    return signed_rand(*shape).to(DEVICE)


def recurrence(x, a):
    h, steps = torch.zeros(x.size(0), dtype=torch.float64), []
    for t in range(x.size(1)):
        h = h * a[:, t] + x[:, t]
        steps.append(h)
    return torch.stack(steps, 1)


ROWS = """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tm in hl.tile(m):
{body}        out[tm] = acc
    return out
"""


def rows(body: str) -> str:
    return ROWS.format(body="".join(f"        {line}\n" for line in body.splitlines()))


X = ("x: torch.Tensor", lambda: [floats(M, N)])
CASES = {  # signature and inputs, body, truth
    "online_softmax": (X, """    m, n = x.shape
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        mx = hl.full([tm], float("-inf"), dtype=torch.float32)
        s = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            v = x[tm, tn] * 4
            new = torch.maximum(mx, v.amax(1))
            s = s * torch.exp(mx - new) + torch.exp(v - new[:, None]).sum(1)
            mx = new
        for tn in hl.tile(n):
            out[tm, tn] = torch.exp(x[tm, tn] * 4 - mx[:, None]) / s[:, None]
    return out
""", lambda x: torch.softmax(x * 4, 1)),
    "welford_counting_lanes": (X, rows("""mean = hl.zeros([tm], dtype=torch.float32)
m2 = hl.zeros([tm], dtype=torch.float32)
count = hl.zeros([tm], dtype=torch.float32)
for tn in hl.tile(n):
    v = x[tm, tn] + 0.5
    inside = (tn.index < n).to(torch.float32)
    c = inside.sum()
    block_mean = v.sum(1) / c
    block_m2 = ((v - block_mean[:, None]) ** 2 * inside[None, :]).sum(1)
    total = count + c
    delta = block_mean - mean
    mean = mean + delta * c / total
    m2 = m2 + block_m2 + delta * delta * count * c / total
    count = total
acc = mean * 1000 + m2 / n"""), lambda x: (x + 0.5).mean(1) * 1000 + x.var(1, unbiased=False)),
    "running_argmax": (X, """    m, n = x.shape
    where = torch.empty([m], dtype=torch.int64, device=x.device)
    for tm in hl.tile(m):
        best = hl.full([tm], float("-inf"), dtype=torch.float32)
        at = hl.zeros([tm], dtype=torch.int64)
        for tn in hl.tile(n):
            v = x[tm, tn] - 3
            better = v.amax(1) > best
            at = torch.where(better, v.argmax(1) + tn.begin, at)
            best = torch.where(better, v.amax(1), best)
        where[tm] = at
    return where
""", lambda x: x.argmax(1)),
    "recurrence_per_step": (("x: torch.Tensor, a: torch.Tensor", lambda: [floats(M, N), floats(M, N) * 0.9]), """    m, n = x.shape
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        h = hl.zeros([tm], dtype=torch.float32)
        for t in range(n):
            h = h * a[tm, t] + x[tm, t]
            out[tm, t] = h
    return out
""", recurrence),
    "set_on_the_first_tile": (X, rows("""acc = hl.zeros([tm], dtype=torch.float32)
for tn in hl.tile(n):
    if tn.begin == 0:
        acc = x[tm, tn].amax(1) - 3
    else:
        acc = torch.maximum(acc, x[tm, tn].amax(1) - 3)"""), lambda x: x.amax(1) - 3),
    "the_last_tile_scaled": (X, rows("""acc = hl.zeros([tm], dtype=torch.float32)
for tn in hl.tile(n):
    if tn.id == tn.count - 1:
        acc += x[tm, tn].sum(1) * 10
    else:
        acc += x[tm, tn].sum(1)"""), lambda x: x[:, :32].sum(1) + x[:, 32:].sum(1) * 10),
    "two_pass_variance": (X, rows("""s = hl.zeros([tm], dtype=torch.float32)
for tn in hl.tile(n):
    s += (x[tm, tn] + 2).sum(1)
mean = s / n
acc = hl.zeros([tm], dtype=torch.float32)
for tn in hl.tile(n):
    d = x[tm, tn] + 2 - mean[:, None]
    acc += (d * d).sum(1)
acc = acc / n"""), None),
    "mean_of_positives": (X, rows("""s = hl.zeros([tm], dtype=torch.float32)
c = hl.zeros([tm], dtype=torch.int32)
for tn in hl.tile(n):
    v = x[tm, tn]
    s += torch.where(v > 0, v, 0.0).sum(1)
    c += (~(v <= 0)).sum(1)
acc = s / c"""), lambda x: x.clamp(min=0).sum(1) / (x > 0).sum(1)),
    "product_of_tiles": (X, rows("""acc = hl.full([tm], 1.0, dtype=torch.float32)
for tn in hl.tile(n):
    acc = acc * (x[tm, tn] * 0.1 + 1).prod(1)"""), lambda x: (x * 0.1 + 1).prod(1)),
    "while_rounds_of_a_tile_loop": (X, rows("""acc = hl.zeros([tm], dtype=torch.float32)
rounds = 0
while rounds < 3:
    for tn in hl.tile(n):
        acc += x[tm, tn].sum(1) * (rounds + 1)
    rounds += 1"""), lambda x: x.sum(1) * 6),
    "while_stepping_columns": (X, rows("""acc = hl.zeros([tm], dtype=torch.float32)
j = 1
while j < n:
    if j % 2 == 1:
        acc = acc + x[tm, j] * j
    else:
        acc = acc - x[tm, j]
    j += 3"""), None),
    "inner_tiles_twice_nested": (X, rows("""acc = hl.zeros([tm], dtype=torch.float32)
for tn in hl.tile(n):
    part = hl.zeros([tm], dtype=torch.float32)
    for tk in hl.tile(n):
        part += (x[tm, tk] * x[tm, tk]).sum(1)
    acc += part + x[tm, tn].sum(1)"""), lambda x: x.sum(1) + (x * x).sum(1) * 5),
    "if_on_a_loaded_scalar_in_range": (X, """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for i in hl.grid(m):
        acc = hl.zeros([1], dtype=torch.float32)
        for j in range(n):
            if x[i, j] > 0:
                acc = acc + x[i, j]
            else:
                acc = acc - 1
        out[i] = acc.sum()
    return out
""", lambda x: torch.where(x > 0, x, -1.0).sum(1)),
    "python_float_summed_in_a_grid": (X, """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for i in hl.grid(m):
        total = 0.0
        for tn in hl.tile(n):
            total = total + x[i, tn].sum()
        out[i] = total
    return out
""", lambda x: x.sum(1)),
    "causal_online_softmax": (("x: torch.Tensor", lambda: [floats(M, M)]), """    m, n = x.shape
    out = torch.empty_like(x)
    for tm in hl.tile(m):
        mx = hl.full([tm], float("-inf"), dtype=torch.float32)
        s = hl.zeros([tm], dtype=torch.float32)
        for tn in hl.tile(n):
            keep = tn.index[None, :] <= tm.index[:, None]
            v = torch.where(keep, x[tm, tn], float("-inf"))
            new = torch.maximum(mx, v.amax(1))
            s = s * torch.exp(mx - new) + torch.exp(v - new[:, None]).sum(1)
            mx = new
        for tn in hl.tile(n):
            keep = tn.index[None, :] <= tm.index[:, None]
            out[tm, tn] = torch.where(keep, torch.exp(x[tm, tn] - mx[:, None]) / s[:, None], 0.0)
    return out
""", lambda x: torch.softmax(x.masked_fill(torch.ones(M, M).triu(1).bool(), float("-inf")), 1)),
    "while_to_a_loaded_length": (("x: torch.Tensor, lengths: torch.Tensor", lambda: [floats(M, N), torch.randint(0, N, (M,), device=DEVICE)]), """    m, n = x.shape
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for i in hl.grid(m):
        length = lengths[i]
        acc = hl.zeros([1], dtype=torch.float32)
        j = 0
        while j < length:
            acc = acc + x[i, j]
            j += 1
        out[i] = acc.sum()
    return out
""", lambda x, lengths: torch.stack([x[i, : lengths[i]].sum() for i in range(M)])),
    "int32_sums_of_int8_tiles": (("x: torch.Tensor", lambda: [torch.randint(-100, 100, (M, N), dtype=torch.int8, device=DEVICE)]), rows("""acc = hl.zeros([tm], dtype=torch.int32)
for tn in hl.tile(n):
    acc += x[tm, tn].sum(1)"""), lambda x: x.sum(1).to(torch.int8)),  # stored to x's int8
}  # fmt: skip


def two_pass_variance(x):
    return (x + 2).var(1, unbiased=False)


def stepping_columns(x):
    columns = range(1, N, 3)
    return sum(x[:, j] * j if j % 2 == 1 else -x[:, j] for j in columns)


TRUTHS = {"two_pass_variance": two_pass_variance, "while_stepping_columns": stepping_columns}
CONFIGS = {"recurrence_per_step": "[4]", "if_on_a_loaded_scalar_in_range": None,
           "python_float_summed_in_a_grid": "[8]", "while_stepping_columns": "[4]",
           "inner_tiles_twice_nested": "[4, 8, 16]", "while_to_a_loaded_length": None}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_carried_values_compute_as_torch(case):
    (signature, make), body, truth = CASES[case]
    blocks = CONFIGS.get(case, "[4, 8]")
    decorator = f"@helion.kernel(config=helion.Config(block_sizes={blocks}))" if blocks else None
    source = kernel(signature, body, *([decorator] if decorator else []))
    assert_computes_as_torch(source, make, truth or TRUTHS[case])
