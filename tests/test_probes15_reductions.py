"""Probes (round 15) of reductions and scans as ML engineers write them: over a tile's own
dimension in a partial last tile (mean, amax of negatives, amin of positives, var, std, prod,
argmax, logsumexp, softmax, cumsum), over several dimensions at once (`sum((1, 2))`,
`amax(dim=(1, 2), keepdim=True)`, `mean([0, 2])`, `var((1, 2))`, a tile and a whole dimension
together), keepdim chains, `sum(dim=None)`, scans along rows (a bool cumsum into int64, an
int32 cumsum past int32, cummax values and indices, cumprod, logcumsumexp, a flipped cumsum),
a cumsum over column tiles carrying each tile's total. 13 x 37 in blocks of 4 x 8, each
against torch in float64, each launch compiled for sm_90 (conftest). All computed as torch in
round 15."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 37


def floats(*shape):
    return signed_rand(*shape).to(DEVICE)


def per_block(fn, rows=4):
    """torch's answer of each block of `rows` rows, summed (the atomics' total)."""
    return lambda x: torch.stack([fn(part) for part in x.split(rows)]).sum(0)


TILE_DIM = """    m, n = x.shape
    out = torch.zeros([n], dtype=x.dtype, device=x.device)
    for tm, tn in hl.tile([m, n]):
        v = x[tm, tn]
        hl.atomic_add(out, [tn], {expression})
    return out
"""
OVER_THE_TILE = {  # reduced along the tile of rows, whose last tile holds 1 row of 4
    "mean": ("v.mean(0)", lambda c: c.mean(0)),
    "amax_of_negatives": ("(v - 3).amax(0)", lambda c: (c - 3).amax(0)),
    "amin_of_positives": ("(v + 3).amin(0)", lambda c: (c + 3).amin(0)),
    "var": ("v.var(0, correction=0)", lambda c: c.var(0, unbiased=False)),
    "std": ("torch.std(v, 0, unbiased=False)", lambda c: c.std(0, unbiased=False)),
    "prod": ("(v + 3).prod(0)", lambda c: (c + 3).prod(0)),
    "argmax_of_negatives": ("(v - 3).argmax(0).to(torch.float32)", lambda c: (c - 3).argmax(0).double()),
    "logsumexp": ("torch.logsumexp(v - 5, 0)", lambda c: torch.logsumexp(c - 5, 0)),
    "ones_like_counted": ("(torch.zeros_like(v) + 1).sum(0)", lambda c: torch.full((c.size(1),), float(c.size(0)), dtype=torch.float64)),
}  # fmt: skip


@pytest.mark.parametrize("case", OVER_THE_TILE)
def test_reductions_over_a_partial_tile_compute_as_torch(case):
    expression, truth = OVER_THE_TILE[case]
    source = kernel(
        "x: torch.Tensor",
        TILE_DIM.format(expression=expression),
        "@helion.kernel(config=helion.Config(block_sizes=[4, 8]))",
    )
    assert_computes_as_torch(source, lambda: [floats(M, N)], per_block(truth))


def rows(expression: str, dtype: str = "x.dtype") -> str:
    return (
        "    m, n = x.shape\n"
        f"    out = torch.empty([m, n], dtype={dtype}, device=x.device)\n"
        "    for tm in hl.tile(m):\n"
        "        v = x[tm, :]\n"
        f"        out[tm, :] = {expression}\n"
        "    return out\n"
    )


def ints(*shape):
    return torch.randint(2**29, 2**30, shape, dtype=torch.int32, device=DEVICE)


X = lambda: [floats(M, N)]  # noqa: E731
CUBE = lambda: [floats(3, 5, 7)]  # noqa: E731
BATCHES = "    b, m, n = x.shape\n    out = torch.empty({shape}, dtype={dtype}, device=x.device)\n    for tb in hl.tile(b):\n        {line}\n    return out\n"  # fmt: skip


def batches(line: str, shape: str = "[b]", dtype: str = "x.dtype") -> str:
    return BATCHES.format(shape=shape, dtype=dtype, line=line)


CASES = {  # body, inputs, truth
    "sum_of_two_dims": (batches("out[tb] = x[tb, :, :].sum((1, 2))"), CUBE, lambda x: x.sum((1, 2))),
    "var_of_two_dims": (batches("out[tb] = x[tb, :, :].var((1, 2))"), CUBE, lambda x: x.var((1, 2))),
    "int_sum_of_two_dims_past_int32": (batches("out[tb] = x[tb, :, :].sum((1, 2))", dtype="torch.int64"), lambda: [ints(3, 5, 7)], lambda x: x.sum((1, 2))),
    "amax_keepdim_of_two_dims": (batches("out[tb, :, :] = x[tb, :, :] - x[tb, :, :].amax(dim=(1, 2), keepdim=True)", shape="x.shape"), CUBE, lambda x: x - x.amax((1, 2), keepdim=True)),
    "abs_sum_keepdim_of_two_dims": (batches("out[tb, :, :] = x[tb, :, :] / x[tb, :, :].abs().sum((1, 2), keepdim=True)", shape="x.shape"), CUBE, lambda x: x / x.abs().sum((1, 2), keepdim=True)),
    "mean_of_a_list_of_dims": ("    b, m, n = x.shape\n    out = torch.empty([m], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n        out[tm] = x[:, tm, :].mean([0, 2])\n    return out\n", CUBE, lambda x: x.mean((0, 2))),
    "tile_and_whole_dim_summed": ("    m, n = x.shape\n    out = torch.zeros([1], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n        hl.atomic_add(out, [0], (x[tm, :] + 1).mean((0, 1)))\n    return out\n", X, per_block(lambda c: (c + 1).mean().reshape(1))),
    "tile_and_whole_dim_amax": ("    m, n = x.shape\n    out = torch.full([1], float(\"-inf\"), dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n        hl.atomic_max(out, [0], (x[tm, :] - 3).amax((0, 1)))\n    return out\n", X, lambda x: (x - 3).amax().reshape(1)),
    "sum_of_dim_none": ("    m, n = x.shape\n    out = torch.zeros([1], dtype=x.dtype, device=x.device)\n    for tm, tn in hl.tile([m, n]):\n        hl.atomic_add(out, [0], (x[tm, tn] - 2).sum(dim=None))\n    return out\n", X, lambda x: (x - 2).sum().reshape(1)),
    "normalised_keepdim_chain": (rows("(v - v.mean(-1, keepdim=True)) / (v - v.mean(-1, keepdim=True)).pow(2).sum(-1, keepdim=True).sqrt()"), X, lambda x: (x - x.mean(-1, keepdim=True)) / (x - x.mean(-1, keepdim=True)).pow(2).sum(-1, keepdim=True).sqrt()),
    "max_values_keepdim": (rows("v - torch.max(v, dim=1, keepdim=True).values"), X, lambda x: x - x.max(1, keepdim=True).values),
    "argmin_of_ties_takes_the_first": (rows("torch.argmin((v * 2).round(), dim=1, keepdim=True).expand(-1, n)", "torch.int64"), X, lambda x: torch.argmin((x * 2).round(), 1, keepdim=True).expand(-1, N)),
    "bool_cumsum_into_int64": (rows("(v > 0).cumsum(1)", "torch.int64"), X, lambda x: (x > 0).cumsum(1)),
    "int32_cumsum_past_int32": (rows("torch.cumsum(v, 1)", "torch.int64"), lambda: [ints(M, N)], lambda x: x.cumsum(1)),
    "cummax_values_of_negatives": (rows("torch.cummax(v - 3, 1).values"), X, lambda x: torch.cummax(x - 3, 1).values),
    "cummax_indices": (rows("torch.cummax(v, dim=1)[1]", "torch.int64"), X, lambda x: torch.cummax(x, 1)[1]),
    "cumprod": (rows("torch.cumprod(v * 0.5 + 1, 1)"), X, lambda x: torch.cumprod(x * 0.5 + 1, 1)),
    "logcumsumexp": (rows("torch.logcumsumexp(v, 1)"), X, lambda x: torch.logcumsumexp(x, 1)),
    "flipped_cumsum": (rows("v.flip(1).cumsum(1).flip(1)"), X, lambda x: x.flip(1).cumsum(1).flip(1)),
    "cumsum_of_column_tiles_carried": ("    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm in hl.tile(m):\n        carry = hl.zeros([tm], dtype=torch.float32)\n        for tn in hl.tile(n):\n            out[tm, tn] = torch.cumsum(x[tm, tn], dim=1) + carry[:, None]\n            carry = carry + x[tm, tn].sum(1)\n    return out\n", X, lambda x: x.cumsum(1)),
    "cumsum_over_the_tile_dim": ("    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm, tn in hl.tile([m, n]):\n        out[tm, tn] = torch.cumsum(x[tm, tn], 0)\n    return out\n", X, lambda x: torch.cat([c.cumsum(0) for c in x.split(4)])),
    "softmax_over_the_tile_dim": ("    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm, tn in hl.tile([m, n]):\n        out[tm, tn] = torch.softmax(x[tm, tn], dim=0)\n    return out\n", X, lambda x: torch.cat([torch.softmax(c, 0) for c in x.split(4)])),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_reductions_and_scans_compute_as_torch(case):
    body, make, truth = CASES[case]
    blocks = (
        "[2]" if "b, m, n" in body and "tb" in body else "[4, 8]" if "tm, tn" in body else "[4]"
    )
    source = kernel(
        "x: torch.Tensor", body, f"@helion.kernel(config=helion.Config(block_sizes={blocks}))"
    )
    assert_computes_as_torch(source, make, truth)
