"""Probes (round 14a) of data layouts and outputs as ML engineers write them: inputs passed as
transposed, stepped, offset, expanded (stride 0), as_strided, channels-last and permuted views;
size-0 and size-1 dims and odd sizes; outputs allocated in host code as views (`torch.zeros(2 *
n)[::2]`, `buf[1::2]`, `.t()`, `.permute`), of other dtypes, returned as views, as tuples with
an updated input; atomics with duplicate indices into such outputs. Each against torch in
float64, each launch also compiled for sm_90 (conftest).

Found in round 14a (refused though valid, with a wrong message): a host tensor made by slicing
(`out = torch.zeros([10], ...)[::2]`, `out = buf[1::2]`, `v = x[:, 1:]`) was no tensor to
`hl.atomic_add` / `hl.load` ("'out' is not a tensor from the host"; a subscript store found it
by its subscript). The host analysis now takes a subscript of slices of a tensor or of an
allocation as a tensor (frontend/host.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch


def r(*shape):
    return torch.randn(*shape, device=DEVICE)


def indices(n, count=5):
    return torch.randint(0, count, (n,), device=DEVICE)  # duplicates: 41 into 5


def added(x, idx, count=5):
    return torch.zeros(count, dtype=x.dtype).index_add_(0, idx.cpu(), x)


ATOMIC = """    out = {alloc}
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [idx[tile]], x[tile])
    return {result}
"""
VIEWS_OF_ALLOCATIONS = {
    "step_of_zeros": (
        ATOMIC.format(alloc="torch.zeros([10], dtype=torch.float32, device=x.device)[::2]", result="out"),
        added,
    ),
    "slice_of_zeros": (
        ATOMIC.format(alloc="torch.zeros([8], dtype=torch.float32, device=x.device)[3:]", result="out"),
        added,
    ),
    "view_of_a_buffer": (
        "    buf = torch.zeros([10], dtype=torch.float32, device=x.device)\n"
        + ATOMIC.format(alloc="buf[1::2]", result="buf"),
        lambda x, idx: torch.stack([torch.zeros(5, dtype=x.dtype), added(x, idx)], 1).flatten(),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", VIEWS_OF_ALLOCATIONS, ids=list(VIEWS_OF_ALLOCATIONS))
def test_atomics_into_a_sliced_allocation_compute_as_torch(case):
    """was: StoreTargetError "'out' is not a tensor from the host"."""
    body, truth = VIEWS_OF_ALLOCATIONS[case]
    source = kernel("x: torch.Tensor, idx: torch.Tensor", body)
    assert_computes_as_torch(source, lambda: [r(41), indices(41)], truth)


def test_hl_load_of_a_sliced_input_computes_as_torch():
    """was: StoreTargetError "'v' is not a tensor from the host" at hl.load's v."""
    body = (
        "    v = x[:, 1:]\n"
        "    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = hl.load(v, [tile, 2]) * 2\n"
        "    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body), lambda: [r(7, 5)], lambda x: x[:, 3] * 2
    )


SUM = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] + y[tile] * 2
    return out
"""
INPUT_LAYOUTS = {  # (x, y) makers: every x a view of another layout than y's
    "transposed": lambda: [r(33, 19).t(), r(19, 33)],
    "stepped": lambda: [r(19, 66)[:, ::2], r(19, 33)],
    "offset": lambda: [r(20, 33)[1:], r(19, 33)],
    "expanded_row": lambda: [r(1, 33).expand(19, 33), r(19, 33)],
    "expanded_column": lambda: [r(19, 1).expand(19, 33), r(19, 33).t().contiguous().t()],
    "as_strided": lambda: [r(400).as_strided((19, 33), (7, 3)), r(19, 33)],
    "channels_last": lambda: [r(2, 3, 5, 7).to(memory_format=torch.channels_last), r(2, 3, 5, 7)],
    "permuted_3d": lambda: [r(5, 7, 3).permute(2, 0, 1), r(3, 5, 7)],
    "empty_rows": lambda: [r(0, 5), r(0, 5)],
    "one_column": lambda: [r(17, 1), r(17, 1)],
    "just_over_powers": lambda: [r(65, 129), r(65, 129)],
}


@pytest.mark.parametrize("case", INPUT_LAYOUTS, ids=list(INPUT_LAYOUTS))
def test_inputs_of_every_layout_compute_as_torch(case):
    source = kernel("x: torch.Tensor, y: torch.Tensor", SUM)
    assert_computes_as_torch(source, INPUT_LAYOUTS[case], lambda x, y: x + y * 2)


OUTPUTS = {  # body, arguments, truth: outputs made in host code as views or of other dtypes
    "transposed_allocation": (
        "    out = torch.empty([x.size(1), x.size(0)], dtype=x.dtype, device=x.device).t()\n"
        "    for tm, tn in hl.tile(x.size()):\n"
        "        out[tm, tn] = x[tm, tn] * 2\n"
        "    return out\n",
        lambda: [r(7, 9)], lambda x: x * 2,
    ),
    "permuted_allocation": (
        "    a, b, c = x.size()\n"
        "    out = torch.empty([c, a, b], dtype=x.dtype, device=x.device).permute(1, 2, 0)\n"
        "    for ta, tb, tc in hl.tile([a, b, c]):\n"
        "        out[ta, tb, tc] = x[ta, tb, tc] + 1\n"
        "    return out\n",
        lambda: [r(3, 5, 7)], lambda x: x + 1,
    ),
    "two_rows_of_one_buffer": (
        "    out = torch.empty([2, x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    low = out[0]\n"
        "    high = out[1]\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        low[tile] = x[tile] - 1\n"
        "        high[tile] = x[tile] + 1\n"
        "    return out\n",
        lambda: [r(37)], lambda x: torch.stack([x - 1, x + 1]),
    ),
    "float16_like_a_transposed_input": (
        "    out = torch.empty_like(x, dtype=torch.float16)\n"
        "    for tile in hl.tile(x.size()):\n"
        "        out[tile] = x[tile] * 0.5\n"
        "    return out\n",
        lambda: [r(33, 19).t()], lambda x: (x * 0.5).half(),
    ),
    "int8_zeros_like": (
        "    out = torch.zeros_like(x, dtype=torch.int8)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * 50\n"
        "    return out\n",
        lambda: [r(37)], lambda x: (x.float() * 50).to(torch.int8),
    ),
    "tuple_with_the_updated_input": (
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * 2\n"
        "        x[tile] = x[tile] + 1\n"
        "    return x, out\n",
        lambda: [r(37)], lambda x: (x + 1, x * 2),
    ),
    "view_returned": (
        "    out = torch.empty([x.size(0), 2], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile, 0] = x[tile] * 2\n"
        "        out[tile, 1] = x[tile] * 3\n"
        "    return out[:, 1]\n",
        lambda: [r(37)], lambda x: x * 3,
    ),
    "host_code_between_and_after": (
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile] * 2\n"
        "    scale = out.abs().max().item()\n"
        "    again = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        again[tile] = out[tile] / scale\n"
        "    return again / x.size(0)\n",
        lambda: [r(37)], lambda x: x * 2 / (x * 2).abs().max() / 37,
    ),
    "strided_atomics_2d": (
        "    out = torch.zeros([x.size(1), 4], dtype=torch.float32, device=x.device).t()\n"
        "    for tm, tn in hl.tile(x.size()):\n"
        "        hl.atomic_add(out, [idx[tm], tn], x[tm, tn])\n"
        "    return out\n",
        lambda: [r(19, 11), indices(19, 4)],
        lambda x, idx: torch.zeros(4, 11, dtype=x.dtype).index_add_(0, idx.cpu(), x),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", OUTPUTS, ids=list(OUTPUTS))
def test_outputs_made_in_host_code_compute_as_torch(case):
    body, make, truth = OUTPUTS[case]
    signature = "x: torch.Tensor, idx: torch.Tensor" if "idx" in body else "x: torch.Tensor"
    assert_computes_as_torch(kernel(signature, body), make, truth)


SIZE_ONE_INDEXED = {  # `v[:, 0]` of a [rows, 1] block: the dim dropped, as v.squeeze(1)
    "keepdim_sum_column": (
        "    out = torch.empty([x.size(0)], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        total = x[tile, :].sum(1, keepdim=True)\n"
        "        out[tile] = total[:, 0] * 2\n"
        "    return out\n",
        lambda x: x.sum(1) * 2,
    ),
    "last_of_a_max": (
        "    out = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        row = x[tile, :]\n"
        "        top = row.amax(1, keepdim=True)\n"
        "        out[tile, :] = row - top[:, -1][:, None]\n"
        "    return out\n",
        lambda x: x - x.amax(1, keepdim=True),
    ),
    "leading_row": (
        "    out = torch.empty([x.size(1)], dtype=x.dtype, device=x.device)\n"
        "    for tile in hl.tile(x.size(1)):\n"
        "        column = x[:, tile].sum(0, keepdim=True)\n"
        "        out[tile] = column[0, :] + 1\n"
        "    return out\n",
        lambda x: x.sum(0) + 1,
    ),
    "cross_entropy_of_a_stepped_view": (
        "    out = torch.empty([x.size(0)], dtype=torch.float32, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        "        row = x[tile, :]\n"
        "        top = row.amax(1, keepdim=True)\n"
        "        lse = torch.log(torch.exp(row - top).sum(1)) + top[:, 0]\n"
        "        out[tile] = lse - x[tile.index, idx[tile]]\n"
        "    return out\n",
        lambda x, idx: torch.nn.functional.cross_entropy(x, idx.cpu(), reduction="none"),
    ),
}


@pytest.mark.parametrize("case", SIZE_ONE_INDEXED, ids=list(SIZE_ONE_INDEXED))
def test_index_zero_of_a_size_one_dim_computes_as_torch(case):
    """was: UnsupportedConstructError "indexing a block inside the device loop"."""
    body, truth = SIZE_ONE_INDEXED[case]
    if "idx" in body:
        source = kernel("x: torch.Tensor, idx: torch.Tensor", body)
        assert_computes_as_torch(source, lambda: [r(9, 34)[:, 1::2], indices(9, 17)], truth)
    else:
        assert_computes_as_torch(kernel("x: torch.Tensor", body), lambda: [r(9, 7)], truth)
