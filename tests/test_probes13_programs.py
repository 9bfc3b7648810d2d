"""Evaluator-style probes (round 13) of control flow and the hl API written as Helion users
write it: inner loops whose range comes from the outer tile (`hl.tile(tm.begin, n)`,
`hl.tile(0, tm.end)`, `range(tm.begin, tm.end)`, `range(tm.count)`), stepped grids inside a
program, carried values swapped each step (`a, b = b, a + b * x`), `if` / `elif` chains on tile
attributes and scalar arguments, nested `if` inside `range`, histograms with a constant value,
a count of programs, three nested loops. Each against torch in float64 (or exactly); each kernel
compiled for sm_90 (conftest). All computed as torch when written.

Found in round 13: a loop's variable read after its loop (`for j in range(n): ...`, then
`acc * j`; `tn.begin` after `for tn in hl.tile(n)`) was refused as "not defined before this
device loop" with the hint "define it in the kernel before the loop", which it was. Python keeps
the last value there; the kernel keeps none: the error now names the loop that ended, and the
hint the carried name that keeps it (its fix computes as torch, below)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

M, N = 13, 21
T = "x: torch.Tensor"


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def ints(*shape, high=5):
    return torch.randint(0, high, shape, device=DEVICE)


def rows(body: str, out: str = "torch.empty([m], dtype=x.dtype, device=x.device)") -> str:
    """A loop over x's rows whose body (indented 8) leaves `acc` for out[tm]."""
    return f"    m, n = x.shape\n    out = {out}\n    for tm in hl.tile(m{{}}):\n{body}        out[tm] = acc\n    return out\n"


def blocked(block, per_row):
    """torch's answer per row r of x, given the first and last row of r's block."""

    def truth(x):
        answers = []
        for r in range(x.size(0)):
            first = r // block * block
            answers.append(per_row(x, r, first, min(first + block, x.size(0))))
        return torch.stack(answers)

    return truth


def fibonacci(step):
    def truth(x):
        a = torch.zeros(x.size(0), dtype=torch.float64)
        b = torch.ones(x.size(0), dtype=torch.float64)
        for j in range(0, x.size(1), step):
            a, b = b, a + b * x[:, j : j + step].sum(1)
        return a - b

    return truth


INNER_ACC = "        acc = hl.zeros([tm], dtype=torch.float32)\n"
INNER = {  # body of rows() (its tile's block_size text), arguments, truth
    "triangle_from_the_begin": (INNER_ACC + "        for tn in hl.tile(tm.begin, n, block_size=8):\n            acc += x[tm, tn].sum(1)\n", ", block_size=4", lambda: [floats(M, N)], blocked(4, lambda x, r, b, e: x[r, b:].sum())),
    "causal_to_the_end": (INNER_ACC + "        for tn in hl.tile(0, tm.end, block_size=8):\n            acc += x[tm, tn].sum(1)\n", ", block_size=4", lambda: [floats(M, N)], blocked(4, lambda x, r, b, e: x[r, :e].sum())),
    "causal_mask_of_indices": (INNER_ACC + "        for tn in hl.tile(0, tm.end, block_size=8):\n            keep = tn.index[None, :] <= tm.index[:, None]\n            acc += torch.where(keep, x[tm, tn], 0.0).sum(1)\n", ", block_size=4", lambda: [floats(M, N)], lambda x: torch.stack([x[r, : r + 1].sum() for r in range(M)])),
    "range_of_begin_and_end": (INNER_ACC + "        for j in range(tm.begin, tm.end):\n            acc += x[tm, j]\n", ", block_size=4", lambda: [floats(M, N)], blocked(4, lambda x, r, b, e: x[r, b:e].sum())),
    "range_of_count": (INNER_ACC + "        for j in range(tm.count):\n            acc += x[tm, j] * (j + 1)\n", ", block_size=4", lambda: [floats(M, N)], lambda x: x[:, :4] @ torch.arange(1.0, 5.0, dtype=torch.float64)),
    "stepped_grid_inside": (INNER_ACC + "        for j in hl.grid(2, n, 5):\n            acc += x[tm, j]\n", "", lambda: [floats(M, N)], lambda x: x[:, 2::5].sum(1)),
    "block_of_one_by_begin": (INNER_ACC + "        for tn in hl.tile(n, block_size=1):\n            acc += x[tm, tn].sum(1) * tn.begin\n", "", lambda: [floats(M, N)], lambda x: x @ torch.arange(N, dtype=torch.float64)),
    "swapped_pair": ("        a = hl.zeros([tm], dtype=torch.float32)\n        b = hl.full([tm], 1.0, dtype=torch.float32)\n        for tn in hl.tile(n, block_size=4):\n            a, b = b, a + b * x[tm, tn].sum(1)\n        acc = a - b\n", "", lambda: [floats(M, N) * 0.1], fibonacci(4)),
    "nested_ifs_in_range": (INNER_ACC + "        for j in range(n):\n            if j % 2 == 0:\n                if j > 10:\n                    acc = acc + x[tm, j] * 10\n                else:\n                    acc = acc + x[tm, j]\n", "", lambda: [floats(M, N)], lambda x: x[:, 0:11:2].sum(1) + x[:, 12::2].sum(1) * 10),
    "ranges_of_the_outer_variable": (INNER_ACC + "        for j in range(3):\n            for j2 in range(j, n, 3):\n                acc += x[tm, j2] * (j + 1)\n", "", lambda: [floats(M, N)], lambda x: x[:, 0::3].sum(1) + 2 * x[:, 1::3].sum(1) + 3 * x[:, 2::3].sum(1)),
    "last_value_carried": (INNER_ACC + "        last = 0\n        for tn in hl.tile(n, block_size=8):\n            acc += x[tm, tn].sum(1)\n            last = tn.begin\n        acc = acc + last\n", "", lambda: [floats(M, N)], lambda x: x.sum(1) + 16),
}  # fmt: skip


@pytest.mark.parametrize("name", INNER)
def test_inner_loops_from_the_outer_tile_compute_as_torch(name):
    body, block, make, truth = INNER[name]
    assert_computes_as_torch(kernel(T, rows(body).format(block)), make, truth)


LOOP = (
    "    n = x.size(0)\n    out = torch.empty_like(x)\n    for tile in hl.tile(n, block_size=8):\n"
)
PROGRAMS = {  # signature, body, arguments, truth
    "elif_chain": ("x: torch.Tensor, mode: int", LOOP + "        if tile.id == 0:\n            y = x[tile] * 2\n        elif tile.id == 1 and mode > 0:\n            y = x[tile] * 3\n        elif tile.end >= n:\n            y = x[tile] * 4\n        else:\n            y = x[tile]\n        out[tile] = y\n    return out\n", lambda: [floats(37), 1], lambda x, mode: x * torch.tensor([2.0] * 8 + [3.0] * 8 + [1.0] * 16 + [4.0] * 5, dtype=torch.float64)),
    "odd_ids_scaled": (T, LOOP + "        y = x[tile]\n        if tile.id % 2 == 1:\n            y = y * 10\n        out[tile] = y\n    return out\n", lambda: [floats(37)], lambda x: x * torch.tensor(([1.0] * 8 + [10.0] * 8) * 2 + [1.0] * 5, dtype=torch.float64)),
    "a_loaded_scalar_decides": ("x: torch.Tensor, s: torch.Tensor", LOOP + "        if s[0] > 0:\n            out[tile] = x[tile] * 2\n        else:\n            out[tile] = x[tile] * 3\n    return out\n", lambda: [floats(37), torch.tensor([-1.5], device=DEVICE)], lambda x, s: x * 3),
    "a_row_decides_in_a_grid": (T, "    m, n = x.shape\n    out = torch.zeros_like(x)\n    for i in hl.grid(m):\n        if x[i, 0] > 0:\n            out[i, :] = x[i, :]\n    return out\n", lambda: [floats(M, N)], lambda x: torch.where(x[:, :1] > 0, x, 0.0)),
    "three_levels": (T, "    b, m, n = x.shape\n    out = torch.empty_like(x)\n    for tb in hl.tile(b, block_size=2):\n        for i in hl.grid(m):\n            for tn in hl.tile(n, block_size=4):\n                out[tb, i, tn] = x[tb, i, tn] * (i + 1) + tb.index[:, None]\n    return out\n", lambda: [floats(3, 5, 7)], lambda x: x * torch.arange(1, 6)[None, :, None] + torch.arange(3)[:, None, None]),
    "histogram_of_ones": ("x: torch.Tensor, idx: torch.Tensor", "    n = idx.size(0)\n    out = torch.zeros([5], dtype=torch.int32, device=x.device)\n    for tile in hl.tile(n, block_size=16):\n        hl.atomic_add(out, [idx[tile]], 1)\n    return out\n", lambda: [floats(37), ints(37)], lambda x, idx: torch.bincount(idx, minlength=5)),
    "count_of_programs": (T, "    n = x.size(0)\n    out = torch.zeros([1], dtype=torch.int32, device=x.device)\n    for tile in hl.tile(n, block_size=16):\n        hl.atomic_add(out, [0], 1)\n    return out\n", lambda: [floats(37)], lambda x: torch.tensor([3])),
    "histogram_of_bools": ("x: torch.Tensor, idx: torch.Tensor", "    n = idx.size(0)\n    out = torch.zeros([5], dtype=torch.float32, device=x.device)\n    for tile in hl.tile(n, block_size=16):\n        hl.atomic_add(out, [idx[tile]], x[tile] > 0)\n    return out\n", lambda: [floats(37), ints(37)], lambda x, idx: torch.zeros(5, dtype=torch.float64).index_add(0, idx, (x > 0).double())),
    "columns_by_modulo": (T, "    m, n = x.shape\n    out = torch.zeros([m, 3], dtype=x.dtype, device=x.device)\n    for tm in hl.tile(m, block_size=4):\n        for j in range(n):\n            hl.atomic_add(out, [tm, j % 3], x[tm, j])\n    return out\n", lambda: [floats(M, N)], lambda x: torch.stack([x[:, k::3].sum(1) for k in range(3)], 1)),
}  # fmt: skip


@pytest.mark.parametrize("name", PROGRAMS)
def test_branches_grids_and_atomics_compute_as_torch(name):
    signature, body, make, truth = PROGRAMS[name]
    assert_computes_as_torch(kernel(signature, body), make, truth)


ENDED = {  # a loop variable read after its loop: the use, then the caret's text
    "range": ("        for j in range(n):\n            acc += x[tm, j]\n        acc = acc * j\n", "j\n"),
    "tile": ("        for tn in hl.tile(n):\n            acc += x[tm, tn].sum(1)\n        acc = acc + tn.begin\n", "tn.begin"),
    "grid": ("        for i in hl.grid(n):\n            acc += x[tm, i]\n        acc = acc / (i + 1)\n", "i + 1"),
}  # fmt: skip


@pytest.mark.parametrize("name", ENDED)
def test_a_loop_variable_after_its_loop_is_refused_naming_the_loop(name):
    body, caret = ENDED[name]
    source = kernel(T, rows(INNER_ACC + body).format(""))
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "acc = acc" in text)
    words = ["is the variable of the loop at line 13, which has ended", "last = "]
    assert_refused_at(source, line, caret.strip(), *words)
