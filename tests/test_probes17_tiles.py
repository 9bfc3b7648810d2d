"""Probes (round 17) of lanes past the end of a partial tile in values the loop derives from its
loads, as ML code reduces them: column maxima of negatives and counts `(x > -5).sum(0)` sent to
`hl.atomic_max` / `atomic_add` per tile, counts stored per `tile.id`, `tile.index`'s own maximum
and argmax, a softmax and an argmin along a partial tile dimension; and `tile.id` of loops from a
begin (`hl.tile(3, n, 8)`, `hl.tile([1, 2], [m, n], block_size=[4, 8])`: Helion's id is
`begin // block_size`). 11 rows in tiles of 4 (the last holds 3), 37 columns in tiles of 8; each
against torch in float64 (integers exactly), each launch also compiled for sm_90 (conftest).
All computed as torch in round 17."""

from __future__ import annotations

import textwrap

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N = 13, 37


def f(*shape):
    return signed_rand(*shape).to(DEVICE)


def neg(*shape):
    return (signed_rand(*shape).abs() + 0.5).neg().to(DEVICE)


def pos(*shape):
    return (signed_rand(*shape).abs() + 0.5).to(DEVICE)


def B(body: str) -> str:  # noqa: N802 - a kernel body, dedented and indented once
    return textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")


def config(blocks: str) -> str:
    return f"@helion.kernel(config=helion.Config(block_sizes={blocks}))"


def col_atomic(op: str, value: str, start: str, dtype: str = "x.dtype") -> str:
    """A kernel body sending `value` (of x[tm, tn]) per column tile to hl.atomic_<op>."""
    return B(f"""
    m, n = x.shape
    out = torch.full([n], {start}, dtype={dtype}, device=x.device)
    for tm, tn in hl.tile([m, n]):
        hl.atomic_{op}(out, [tn], {value})
    return out
    """)


def ID(loop: str) -> str:  # noqa: N802 - a body storing each lane's tile.id and block size
    return B(f"""
    n = x.size(0)
    out = torch.full([n], -1, dtype=torch.int64, device=x.device)
    for tile in {loop}:
        out[tile] = tile.id * 1000 + tile.block_size
    return out
    """)


def ids(begin, n, block):
    lanes = range(begin, n)
    return torch.tensor(
        [-1] * begin
        + [(begin + (i - begin) // block * block) // block * 1000 + block for i in lanes]
    )


CASES = {  # signature, body, inputs, truth, block sizes (None: the default config)
 "atomic_max_colmax_neg": ("x: torch.Tensor", col_atomic("max", "x[tm, tn].amax(0)", 'float("-inf")'), lambda: [neg(M, N)], lambda x: x.amax(0), "[4, 8]"),
 "atomic_add_count_gt": ("x: torch.Tensor", col_atomic("add", "(x[tm, tn] > -5).sum(0)", "0", "torch.int64"), lambda: [f(M, N)], lambda x: (x > -5).sum(0), "[4, 8]"),
 "store_partial_count_per_tile": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty([3, n], dtype=torch.int64, device=x.device)
    for tm, tn in hl.tile([m, n]):
        out[tm.id, tn] = (x[tm, tn] < 2).sum(0)
    return out
 """), lambda: [f(11, N)], lambda x: torch.tensor([[4] * N, [4] * N, [3] * N]), "[4, 8]"),
 "index_max_per_tile": ("x: torch.Tensor", B("""
    n = x.size(0)
    out = torch.empty([5], dtype=torch.int64, device=x.device)
    for tile in hl.tile(n, block_size=8):
        out[tile.id] = tile.index.amax() * 100 + torch.argmax(tile.index.float())
    return out
 """), lambda: [f(N)], lambda x: torch.tensor([min(i + 7, N - 1) * 100 + min(7, N - 1 - i) for i in range(0, N, 8)]), None),
 "argmin_partial_tile_dim0": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty([3, n], dtype=torch.int64, device=x.device)
    for tm, tn in hl.tile([m, n]):
        out[tm.id, tn] = (x[tm, tn] + 2).argmin(0)
    return out
 """), lambda: [pos(11, N)], lambda x: torch.stack([(x[0:4]).argmin(0), x[4:8].argmin(0), x[8:11].argmin(0)]), "[4, 8]"),
 "softmax_dim0_partial": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.empty_like(x)
    for tm, tn in hl.tile([m, n]):
        out[tm, tn] = torch.softmax(x[tm, tn] - 3, dim=0)
    return out
 """), lambda: [f(11, N)], lambda x: torch.cat([torch.softmax(x[0:4] - 3, 0), torch.softmax(x[4:8] - 3, 0), torch.softmax(x[8:11] - 3, 0)]), "[4, 8]"),
 "tile_positional_block_begin": ("x: torch.Tensor", ID("hl.tile(3, n, 8)"), lambda: [f(N)], lambda x: ids(3, N, 8), None),
 "tile_list_begins": ("x: torch.Tensor", B("""
    m, n = x.shape
    out = torch.zeros_like(x)
    for tm, tn in hl.tile([1, 2], [m, n], block_size=[4, 8]):
        out[tm, tn] = x[tm, tn] + tm.id * 100 + tn.id
    return out
 """), lambda: [f(M, N)], lambda x: torch.nn.functional.pad((x[1:, 2:] + ((1 + (torch.arange(1, M) - 1) // 4 * 4) // 4 * 100)[:, None] + ((2 + (torch.arange(2, N) - 2) // 8 * 8) // 8)[None, :]), (2, 0, 1, 0)), None),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_lanes_past_the_end_and_tile_ids_compute_as_torch(case):
    signature, body, make, truth, blocks = CASES[case]
    decorator = config(blocks) if blocks else "@helion.kernel()"
    assert_computes_as_torch(kernel(signature, body, decorator), make, truth)
