"""Evaluator-style probes (round 13) of blocks made in the loop: `hl.join` / `torch.stack` of
values of two dtypes, `hl.split` of int64 pairs, reshapes of whole rows with
`tile.block_size` (`x[tm, :].reshape(tm.block_size, 4, 2)`) and `hl.arange` of a power-of-two
literal. Each against torch in float64 (or exactly); each kernel compiled for sm_90 (conftest).

Found in round 13 (none silently wrong):
- `hl.join(x[tm], y[tm])` of a float and an int tensor (`torch.stack` likewise) failed inside
  Triton (`tl.join` takes one dtype; the interpreter: "numpy data itemsize (64 bits) exceeds
  dtype primitive_bitwidth (32 bits)"). Now `join_promoted` puts both in the dtype of their sum
  first, as torch.stack promotes.
- `out[tm, :] = x[tm, :].reshape(tm.block_size, 8)` (and a split / join round trip reshaped
  back) was an InternalTranspilerError ("found what its plan lacks: the sizes 8 and x.size(1)
  meet"): the shape analysis did not read `tile.block_size` in a shape as lowering does (the
  tile's lanes). It does now; the launcher requires the row to be 8 long.
- `hl.arange(4)` (a power-of-two literal, which Helion takes) was refused asking for a tile;
  it is four lanes now (`tl.arange(0, 4)`). Other lengths stay refused."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M = 13
T = "x: torch.Tensor"
TWO = "x: torch.Tensor, y: torch.Tensor"


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def ints(*shape, dtype=torch.int64, low=-50, high=50):
    values = torch.randint(low, high, shape, device=DEVICE)
    values[values == 0] = 7
    return values.to(dtype)


def pairs(expression, dtype="torch.float32", width=2):
    return (
        f"    m = x.size(0)\n    out = torch.empty([m, {width}], dtype={dtype}, device=x.device)\n"
        f"    for tm in hl.tile(m):\n        out[tm, :] = {expression}\n    return out\n"
    )


JOINS = {  # signature, body, arguments, truth
    "join_float_and_int64": (TWO, pairs("hl.join(x[tm], y[tm])"), lambda: [floats(M), ints(M)], lambda x, y: torch.stack([x, y.double()], -1)),
    "join_bool_and_int": (TWO, pairs("hl.join(x[tm] > 0, y[tm] * 3)", "torch.int64"), lambda: [floats(M), ints(M, dtype=torch.int32)], lambda x, y: torch.stack([(x > 0).long(), y.long() * 3], -1)),
    "stack_half_and_float": (TWO, pairs("torch.stack([x[tm], y[tm]], dim=-1)"), lambda: [floats(M).half(), floats(M)], lambda x, y: torch.stack([x, y], -1)),
    "stack_four_int32_and_float64": (TWO, pairs("torch.stack([x[tm], y[tm], x[tm] * 2, y[tm] - 1], dim=1)", "torch.float64", 4), lambda: [ints(M, dtype=torch.int32), floats(M).double()], lambda x, y: torch.stack([x.double(), y, x * 2.0, y - 1], 1)),
    "join_then_reduce": (T, "    m = x.size(0)\n    out = torch.empty([m], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n        j = hl.join(x[tm], x[tm] * 3)\n        out[tm] = j.sum(-1) + j.amax(-1)\n    return out\n", lambda: [floats(M)], lambda x: 4 * x + torch.maximum(x, 3 * x)),
    "split_int64_pairs": (T, "    m = x.size(0)\n    out = torch.empty([m], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n        a, b = hl.split(x[tm, :])\n        out[tm] = a * 1000000007 - b\n    return out\n", lambda: [ints(M, 2, low=-(2**31), high=2**31)], lambda x: x[:, 0] * 1000000007 - x[:, 1]),
}  # fmt: skip


@pytest.mark.parametrize("name", JOINS)
def test_joins_and_stacks_of_two_dtypes_compute_as_torch(name):
    signature, body, make, truth = JOINS[name]
    bound = {"rtol": 1e-3, "atol": 1e-3} if "half" in name else None
    assert_computes_as_torch(kernel(signature, body), make, truth, bound=bound)


ROWS = "    m, n = x.shape\n    out = torch.empty({shape}, dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n{body}    return out\n"
RESHAPES = {  # a whole row reshaped with tile.block_size: body, shape, arguments, truth
    "there_and_back": ("        out[tm, :] = x[tm, :].reshape(tm.block_size, 8)\n", "[m, n]", lambda x: x),
    "split_join_swap": ("        a, b = hl.split(x[tm, :].reshape(tm.block_size, 4, 2))\n        out[tm, :] = hl.join(b, a).reshape(tm.block_size, 8)\n", "[m, n]", lambda x: x.view(M, 4, 2).flip(-1).reshape(M, 8)),
    "pairs_summed": ("        out[tm, :] = x[tm, :].reshape(tm.block_size, 4, 2).sum(-1)\n", "[m, 4]", lambda x: x.view(M, 4, 2).sum(-1)),
    "scaled_by_an_arange": ("        v = x[tm, :].view(tm.block_size, 2, 4)\n        w = v * hl.arange(4)[None, None, :]\n        out[tm, :] = w.view(tm.block_size, 8) + 1\n", "[m, n]", lambda x: (x.view(M, 2, 4) * torch.arange(4)).reshape(M, 8) + 1),
}  # fmt: skip


@pytest.mark.parametrize("name", RESHAPES)
def test_a_whole_row_reshaped_with_tile_block_size_computes_as_torch(name):
    body, shape, truth = RESHAPES[name]
    assert_computes_as_torch(
        kernel(T, ROWS.format(shape=shape, body=body)), lambda: [floats(M, 8)], truth
    )


def test_a_row_of_another_length_than_the_reshape_is_refused_at_the_launch():
    body, shape, _ = RESHAPES["there_and_back"]
    source = kernel(T, ROWS.format(shape=shape, body=body))
    x = floats(M, 6)
    with pytest.raises(RuntimeError, match="n must be a power of two"):
        generated(source, "k", x)(x)


ARANGES = {  # hl.arange of a power-of-two literal: body, arguments, truth
    "outer_with_a_column": ("        out[tm, :] = x[tm, 0][:, None] * hl.arange(8, dtype=torch.float32)[None, :]\n", "[m, 8]", lambda x: x[:, :1] * torch.arange(8)),
    "as_column_indices": ("        cols = hl.arange(4) * 2 + 1\n        out[tm, :] = x[tm.index[:, None], cols[None, :]]\n", "[m, 4]", lambda x: x[:, 1:9:2]),
    "summed": ("        out[tm] = x[tm, 0] + hl.arange(16).sum()\n", "[m]", lambda x: x[:, 0] + 120),
}  # fmt: skip


@pytest.mark.parametrize("name", ARANGES)
def test_an_arange_of_a_power_of_two_literal_computes_as_torch(name):
    body, shape, truth = ARANGES[name]
    assert_computes_as_torch(
        kernel(T, ROWS.format(shape=shape, body=body)), lambda: [floats(M, 9)], truth
    )
