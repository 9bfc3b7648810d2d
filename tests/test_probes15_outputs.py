"""Probes (round 15) of atomics and outputs: hl.atomic_max / atomic_min with duplicate indices
(negatives into -inf, int32), atomic_add with a row index and a tile, of scalar grid indices, of
a masked value (`torch.where(v > 0, v, 0.0)`), of int32 values into int64, of floats into int32;
an output written in two top-level loops, read back in the same tile, accumulated in place over
K tiles; jagged rows (`hl.tile(offsets[i], offsets[i + 1])`), a triangle from a grid index,
inner tiles between host bounds; host code after the loops (`out.sum(0)`, `out.t()[1:]`,
`out[:n].view(-1, 1)`), tuples (the same output twice). Odd sizes and blocks that do not
divide, each against torch in float64 (integers exactly), each launch compiled for sm_90
(conftest). All computed as torch in round 15."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, dot_tolerance, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 37


def floats(*shape):
    return signed_rand(*shape).to(DEVICE)


def picks(n, count=5):
    return torch.randint(0, count, (n,), device=DEVICE)  # duplicates: n into `count`


def reduced(start, how, dtype=torch.float64):
    return lambda x, idx: torch.full([5], start, dtype=dtype).scatter_reduce(
        0, idx, x.to(dtype), how
    )


def added(x, idx, count=5, dtype=torch.float64):
    return torch.zeros(count, *x.shape[1:], dtype=dtype).index_add(0, idx, x.to(dtype))


ATOMIC = """    out = {out}
    for tile in hl.tile(x.size(0)):
        hl.atomic_{op}(out, [idx[tile]], {value})
    return out
"""
IDX = "x: torch.Tensor, idx: torch.Tensor"
INT32_OUT = "torch.zeros([5], dtype=torch.int32, device=x.device)"
CASES = {  # signature, body, inputs, truth
    "max_of_negatives": (IDX, ATOMIC.format(out='torch.full([5], float("-inf"), dtype=x.dtype, device=x.device)', op="max", value="x[tile] - 2"), lambda: [floats(41), picks(41)], lambda x, i: reduced(float("-inf"), "amax")(x - 2, i)),
    "min_of_int32": (IDX, ATOMIC.format(out="torch.full([5], 1000, dtype=torch.int32, device=x.device)", op="min", value="x[tile]"), lambda: [torch.randint(-50, 50, (41,), dtype=torch.int32, device=DEVICE), picks(41)], reduced(1000, "amin", torch.int64)),
    "add_of_a_masked_value": (IDX, ATOMIC.format(out="torch.zeros([5], dtype=x.dtype, device=x.device)", op="add", value="torch.where(x[tile] > 0, x[tile], 0.0)"), lambda: [floats(41), picks(41)], lambda x, i: added(x.clamp(min=0), i)),
    "add_of_int32_into_int64": (IDX, ATOMIC.format(out="torch.zeros([5], dtype=torch.int64, device=x.device)", op="add", value="x[tile]"), lambda: [torch.randint(2**29, 2**30, (41,), dtype=torch.int32, device=DEVICE), picks(41)], lambda x, i: added(x, i, dtype=torch.int64)),
    "add_of_floats_into_int32": (IDX, ATOMIC.format(out=INT32_OUT, op="add", value="x[tile] * 10"), lambda: [floats(41), picks(41)], lambda x, i: added((x * 10).long(), i, dtype=torch.int64)),
    "add_by_tile_index_modulo": ("x: torch.Tensor", "    out = torch.zeros([3], dtype=x.dtype, device=x.device)\n    for tile in hl.tile(x.size(0)):\n        hl.atomic_add(out, [tile.index % 3], x[tile])\n    return out\n", lambda: [floats(N)], lambda x: added(x, torch.arange(N) % 3, 3)),
    "max_of_int64_past_int32": (IDX, ATOMIC.format(out="torch.full([5], -2**40, dtype=torch.int64, device=x.device)", op="max", value="x[tile] * 1000"), lambda: [torch.randint(-2**35, 2**35, (41,), device=DEVICE), picks(41)], lambda x, i: reduced(-2**40, "amax", torch.int64)(x * 1000, i)),
    "add_by_row_index_and_tile": (IDX, "    m, n = x.shape\n    out = torch.zeros([3, n], dtype=x.dtype, device=x.device)\n    for tm, tn in hl.tile([m, n]):\n        hl.atomic_add(out, [idx[tm], tn], x[tm, tn])\n    return out\n", lambda: [floats(M, N), picks(M, 3)], lambda x, i: added(x, i, 3)),
    "add_of_scalar_grid_indices": (IDX, "    m, n = x.shape\n    out = torch.zeros([3, n], dtype=x.dtype, device=x.device)\n    for i, j in hl.grid([m, n]):\n        hl.atomic_add(out, [idx[i], j], x[i, j])\n    return out\n", lambda: [floats(M, 7), picks(M, 3)], lambda x, i: added(x, i, 3)),
    "two_loops_one_output": ("x: torch.Tensor", "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile] * 2\n    for tile in hl.tile(x.size(0)):\n        out[tile] = out[tile] + 1\n    return out\n", lambda: [floats(N)], lambda x: x * 2 + 1),
    "two_halves_in_two_loops": ("x: torch.Tensor", "    n = x.size(0)\n    out = torch.empty([2 * n], dtype=x.dtype, device=x.device)\n    for tile in hl.tile(n):\n        out[tile] = x[tile]\n    for tile in hl.tile(n):\n        out[tile.index + n] = x[tile] * 2\n    return out\n", lambda: [floats(N)], lambda x: torch.cat([x, x * 2])),
    "read_back_in_the_same_tile": ("x: torch.Tensor", "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile] * 2\n        out[tile] = out[tile] + x[tile]\n    return out\n", lambda: [floats(N)], lambda x: x * 3),
    "jagged_rows_of_offsets": ("x: torch.Tensor, offsets: torch.Tensor", "    b = offsets.size(0) - 1\n    out = torch.zeros([b, x.size(1)], dtype=x.dtype, device=x.device)\n    for i in hl.grid(b):\n        start = offsets[i]\n        end = offsets[i + 1]\n        for tn in hl.tile(x.size(1)):\n            acc = hl.zeros([tn], dtype=torch.float32)\n            for tr in hl.tile(start, end):\n                acc += x[tr, tn].sum(0)\n            out[i, tn] = acc\n    return out\n", lambda: [floats(23, 7), torch.tensor([0, 3, 3, 10, 23], device=DEVICE)], lambda x, o: torch.stack([x[o[i] : o[i + 1]].sum(0) for i in range(4)])),
    "jagged_blocks_of_four": ("x: torch.Tensor, offsets: torch.Tensor", "    b = offsets.size(0) - 1\n    out = torch.zeros([b], dtype=x.dtype, device=x.device)\n    for i in hl.grid(b):\n        acc = hl.zeros([1], dtype=torch.float32)\n        for t in hl.tile(offsets[i], offsets[i + 1], block_size=4):\n            acc += x[t].sum()\n        out[i] = acc.sum()\n    return out\n", lambda: [floats(23), torch.tensor([0, 3, 3, 10, 23], device=DEVICE)], lambda x, o: torch.stack([x[o[i] : o[i + 1]].sum() for i in range(4)])),
    "triangle_from_a_grid_index": ("x: torch.Tensor", "    m, n = x.shape\n    out = torch.empty([m], dtype=x.dtype, device=x.device)\n    for i in hl.grid(m):\n        acc = hl.zeros([1], dtype=torch.float32)\n        for tn in hl.tile(i, n):\n            acc += x[i, tn].sum()\n        out[i] = acc.sum()\n    return out\n", lambda: [floats(M, N)], lambda x: torch.stack([x[i, i:].sum() for i in range(M)])),
    "tiles_between_int_arguments": ("x: torch.Tensor, lo: int, hi: int", "    m, n = x.shape\n    out = torch.zeros([m], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m):\n        acc = hl.zeros([tm], dtype=torch.float32)\n        for tn in hl.tile(lo, hi):\n            acc += x[tm, tn].sum(1)\n        out[tm] = acc\n    return out\n", lambda: [floats(M, N), 3, 30], lambda x, lo, hi: x[:, lo:hi].sum(1)),
    "host_sum_and_transposed_slice": ("x: torch.Tensor", "    m, n = x.shape\n    out = torch.empty_like(x)\n    for tm, tn in hl.tile([m, n]):\n        out[tm, tn] = x[tm, tn] * 2\n    return out.sum(0), out.t()[1:]\n", lambda: [floats(M, N)], lambda x: ((x * 2).sum(0), (x * 2).t()[1:])),
    "host_slice_and_view": ("x: torch.Tensor", "    n = x.size(0)\n    out = torch.empty([n + 3], dtype=x.dtype, device=x.device)\n    for tile in hl.tile(n):\n        out[tile] = x[tile] + 1\n    return out[:n].view(-1, 1)\n", lambda: [floats(N)], lambda x: (x + 1).view(-1, 1)),
    "host_sum_of_all": ("x: torch.Tensor", "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile] * x[tile]\n    return out.sum()\n", lambda: [floats(N)], lambda x: (x * x).sum()),
    "the_same_output_twice": ("x: torch.Tensor", "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n        out[tile] = x[tile] * 2\n    return out, out\n", lambda: [floats(N)], lambda x: (x * 2, x * 2)),
    "max_and_argmax_outputs": ("x: torch.Tensor", "    m, n = x.shape\n    top = torch.empty([m], dtype=x.dtype, device=x.device)\n    at = torch.empty([m], dtype=torch.int64, device=x.device)\n    for tm in hl.tile(m):\n        top[tm] = x[tm, :].amax(1)\n        at[tm] = x[tm, :].argmax(1)\n    return top, at\n", lambda: [floats(M, N)], lambda x: (x.amax(1), x.argmax(1))),
}  # fmt: skip
BLOCKS = {"add_by_row_index_and_tile": "[4, 8]", "two_halves_in_two_loops": "[16, 8]",
          "two_loops_one_output": "[16, 8]", "host_sum_and_transposed_slice": "[4, 8]",
          "tiles_between_int_arguments": "[4, 8]", "triangle_from_a_grid_index": "[8]",
          "jagged_rows_of_offsets": "[4, 8]", "max_and_argmax_outputs": "[4]"}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_atomics_and_outputs_compute_as_torch(case):
    signature, body, make, truth = CASES[case]
    blocks = BLOCKS.get(case, "[16]" if "hl.tile(x.size(0))" in body else None)
    decorator = f"@helion.kernel(config=helion.Config(block_sizes={blocks}))" if blocks else None
    assert_computes_as_torch(
        kernel(signature, body, *([decorator] if decorator else [])), make, truth
    )


def test_a_product_accumulated_into_its_output_over_k_tiles():
    body = (
        "    m, k = x.shape\n"
        "    n = y.size(1)\n"
        "    out = torch.zeros([m, n], dtype=torch.float32, device=x.device)\n"
        "    for tm, tn in hl.tile([m, n]):\n"
        "        for tk in hl.tile(k):\n"
        "            out[tm, tn] += x[tm, tk] @ y[tk, tn]\n"
        "    return out\n"
    )
    source = kernel(
        "x: torch.Tensor, y: torch.Tensor",
        body,
        "@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))",
    )
    assert_computes_as_torch(
        source,
        lambda: [floats(M, 21), floats(21, 19)],
        lambda x, y: x @ y,
        bound=dot_tolerance(torch.float32),
    )
