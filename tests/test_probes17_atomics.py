"""Probes (round 17) of the old values hl atomics return, as ML code reads them back (a swap
buffer, a running minimum's previous value), against torch in float64; each launch also compiled
for sm_90 (conftest).

Found in round 17, both in Triton's CPU interpreter alone (sm_90 compiled them right):
- internal traceback: `hl.atomic_xchg(buf, [tile], x[tile])` of a float32 or float64 tensor was
  Triton's InterpreterError "Unsupported data type" (its atomic_rmw exchanges integers only);
- **silently wrong**: the old values `hl.atomic_min` returns for a float64 target were their
  bits' integers (-4.0 came back 1.38e19): the interpreter's select of Triton's int64 and
  uint64 words converted them to float64 values.
Fixed in run/interpreter_atomics.py: the exchange done on the words' bits, the select of two
integer words of one width kept as bits, as a GPU's."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

N = 37
CONFIG = "@helion.kernel(config=helion.Config(block_sizes={}))"
SWAP = """    old = torch.empty_like(buf)
    for tile in hl.tile(x.size(0)):
        old[tile] = hl.atomic_{op}(buf, [tile], x[tile]{sem})
    return old, buf
"""
GRID = """    m, n = x.shape
    old = torch.empty_like(buf)
    for tm, tn in hl.tile([m, n]):
        old[tm, tn] = hl.atomic_{op}(buf, [tm, tn], x[tm, tn] * 2{sem}) - x[tm, tn]
    return old, buf
"""
UPDATES = {"xchg": lambda b, x: x, "min": torch.minimum, "max": torch.maximum}
DTYPES = [torch.float32, torch.float64]


def floats(*shape, dtype):
    return signed_rand(*shape).to(dtype).to(DEVICE)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("op", UPDATES)
def test_old_values_of_one_dimension_come_back_as_torch_s(op, dtype):
    source = kernel("x: torch.Tensor, buf: torch.Tensor", SWAP.format(op=op, sem=""),
                    CONFIG.format("[16]"))  # fmt: skip
    update = UPDATES[op]
    assert_computes_as_torch(
        source, lambda: [floats(N, dtype=dtype), floats(N, dtype=dtype)],
        lambda x, buf: (buf.clone(), update(buf, x)),
    )  # fmt: skip


@pytest.mark.parametrize("sem", ["relaxed", "acq_rel"])
@pytest.mark.parametrize("op", ["xchg", "min"])
def test_old_values_of_a_float64_grid_come_back_as_torch_s(op, sem):
    source = kernel("x: torch.Tensor, buf: torch.Tensor",
                    GRID.format(op=op, sem=f', sem="{sem}"'), CONFIG.format("[4, 8]"))  # fmt: skip
    update = UPDATES[op]
    assert_computes_as_torch(
        source, lambda: [floats(13, 11, dtype=torch.float64), floats(13, 11, dtype=torch.float64)],
        lambda x, buf: (buf - x, update(buf, x * 2)),
    )  # fmt: skip


def test_a_running_minimum_s_previous_values_are_the_targets_before_it():
    """Several lanes into one slot: the slot ends at the minimum, and every returned value is
    one the slot held (the start or a value written), never a converted integer."""
    source = kernel("x: torch.Tensor, idx: torch.Tensor, best: torch.Tensor",
                    "    old = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
                    "        old[tile] = hl.atomic_min(best, [idx[tile]], x[tile])\n"
                    "    return old, best\n", CONFIG.format("[16]"))  # fmt: skip
    x, idx = floats(41, dtype=torch.float64), torch.randint(0, 3, (41,), device=DEVICE)
    start = torch.full([3], 0.5, dtype=torch.float64, device=DEVICE)
    expected = start.cpu().scatter_reduce(0, idx.cpu(), x.cpu(), "amin")
    old, best = generated(source, "k", x, idx, start.clone())(x, idx, start.clone())
    assert torch.equal(best.cpu(), expected)
    held = torch.cat([x.cpu(), torch.tensor([0.5], dtype=torch.float64)])
    assert torch.isin(old.cpu(), held).all(), old
    assert (old.cpu() >= best.cpu()[idx.cpu()]).all()
