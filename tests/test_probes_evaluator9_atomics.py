"""Evaluator-style probes of hl atomics by target dtype (round 9): `hl.atomic_cas` with numbers
for expected and value (`hl.atomic_cas(flags, [tile.id], 0, 7)`, a lock's spelling: an
AttributeError inside Triton before round 9, `0 .to(...)`), in 1-D, 2-D, float16 and int16;
and targets Triton's atomics refuse (int8 / int16 / uint8 / bool for add, max, min, or, xor;
float16 for max / min): a ValueError inside Triton before round 9, now a TypeError at the
launch naming the line, the dtypes the atomic takes and the fix. The dtypes they take compute
as torch (float16 / float64 / int64 add, float64 / int64 max and min, int64 or / xor)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, generated
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

N = 301
BINS = 7


def bins():
    return torch.randint(0, BINS, (N,), device=DEVICE)


def histogram(op: str, dtype: str) -> str:
    return kernel(
        "x: torch.Tensor, idx: torch.Tensor",
        f"    out = torch.zeros([{BINS}], dtype={dtype}, device=x.device)\n"
        "    for tile in hl.tile(x.size(0)):\n"
        f"        hl.{op}(out, [idx[tile]], x[tile])\n"
        "    return out\n",
    )


def folded(x, idx, update):
    """The histogram one lane at a time, from zeros, in x's dtype."""
    out = torch.zeros(BINS, dtype=x.dtype)
    for value, slot in zip(x.cpu(), idx.cpu(), strict=True):
        out[slot] = update(out[slot], value)
    return out


def values(dtype):
    if dtype.is_floating_point:
        return (torch.randn(N, device=DEVICE) * 50).to(dtype)
    return torch.randint(-100, 100, (N,), device=DEVICE).to(dtype)


TAKEN = [
    ("atomic_add", torch.float16, lambda a, b: a + b),
    ("atomic_add", torch.float64, lambda a, b: a + b),
    ("atomic_add", torch.int64, lambda a, b: a + b),
    ("atomic_max", torch.float64, max),
    ("atomic_max", torch.int64, max),
    ("atomic_min", torch.float32, min),
    ("atomic_min", torch.int64, min),
    ("atomic_or", torch.int64, lambda a, b: a | b),
    ("atomic_xor", torch.int64, lambda a, b: a ^ b),
]


@pytest.mark.parametrize(
    ("op", "dtype", "update"), TAKEN, ids=lambda v: None if callable(v) else str(v)
)
def test_targets_the_atomics_take_compute_as_torch(op, dtype, update):
    bound = {"rtol": 2e-2, "atol": 2e-1} if dtype == torch.float16 else None
    assert_computes_as_torch(
        histogram(op, str(dtype)),
        lambda: [values(dtype), bins()],
        lambda x, idx: folded(x.to(dtype), idx, update),
        bound=bound,
    )


REFUSED = [
    ("atomic_add", torch.int8),
    ("atomic_add", torch.int16),
    ("atomic_add", torch.uint8),
    ("atomic_max", torch.float16),
    ("atomic_min", torch.int16),
    ("atomic_or", torch.bool),
    ("atomic_xor", torch.uint8),
    ("atomic_max", torch.int8),
]


@pytest.mark.parametrize(("op", "dtype"), REFUSED, ids=str)
def test_targets_the_atomics_refuse_are_refused_at_the_launch(op, dtype):
    source = histogram(op, str(dtype))
    x = values(torch.float32).to(dtype)
    with pytest.raises(TypeError) as caught:
        generated(source, "k", x, bins())(x, bins())
    text = str(caught.value)
    assert f"line 11: hl.{op} into out, a {dtype} tensor" in text, text
    assert "int32" in text and "allocate out as one of them" in text, text


def test_an_argument_target_is_checked_too():
    """The target passed in (not allocated by the kernel): the same check, by its name."""
    source = kernel(
        "counts: torch.Tensor, idx: torch.Tensor",
        "    for tile in hl.tile(idx.size(0)):\n"
        "        hl.atomic_add(counts, [idx[tile]], 1)\n"
        "    return counts\n",
    )
    idx = bins()
    counts = torch.zeros(BINS, dtype=torch.int16, device=DEVICE)
    with pytest.raises(TypeError, match="line 10: hl.atomic_add into counts, a torch.int16"):
        generated(source, "k", counts, idx)(counts, idx)
    counts = torch.zeros(BINS, dtype=torch.int32, device=DEVICE)
    got = generated(source, "k", counts, idx)(counts, idx)
    assert torch.equal(got.cpu(), torch.bincount(idx.cpu(), minlength=BINS).int())


CAS = {
    "claim_each_slot": (
        "x: torch.Tensor",
        "    n = x.size(0)\n"
        "    flags = torch.zeros([helion.cdiv(n, 32)], dtype=torch.int32, device=x.device)\n"
        "    old = torch.empty([helion.cdiv(n, 32)], dtype=torch.int32, device=x.device)\n"
        "    for tile in hl.tile(n, block_size=32):\n"
        "        old[tile.id] = hl.atomic_cas(flags, [tile.id], 0, 7)\n"
        "    return old + flags\n",
        lambda: [torch.randn(N, device=DEVICE)],
        lambda x: torch.full(((N + 31) // 32,), 7, dtype=torch.int32),
    ),
    "float_2d": (
        "x: torch.Tensor",
        "    m, n = x.size()\n"
        "    for tile_m, tile_n in hl.tile([m, n]):\n"
        "        hl.atomic_cas(x, [tile_m, tile_n], 1.0, -2.5)\n"
        "    return x\n",
        lambda: [torch.randint(0, 3, (37, 29), device=DEVICE).float()],
        lambda x: torch.where(x == 1.0, -2.5, x),
    ),
    "float16": (
        "x: torch.Tensor",
        "    for tile in hl.tile(x.size(0)):\n        hl.atomic_cas(x, [tile], 1.0, 3.0)\n"
        "    return x\n",
        lambda: [torch.randint(0, 3, (N,), device=DEVICE).half()],
        lambda x: torch.where(x == 1.0, 3.0, x),
    ),
    "int16_returning_old": (
        "x: torch.Tensor",
        "    old = torch.empty_like(x)\n"
        "    for tile in hl.tile(x.size(0)):\n        old[tile] = hl.atomic_cas(x, [tile], 1, -9)\n"
        "    return old * 100 + x\n",
        lambda: [torch.randint(0, 3, (N,), device=DEVICE).short()],
        lambda x: x * 100 + torch.where(x == 1, -9, x),
    ),
    "number_and_argument": (
        "x: torch.Tensor, new: int",
        "    for tile in hl.tile(x.size(0)):\n        hl.atomic_cas(x, [tile], 2, new)\n"
        "    return x\n",
        lambda: [torch.randint(0, 3, (N,), device=DEVICE), -4],
        lambda x, new: torch.where(x == 2, new, x),
    ),
}


@pytest.mark.parametrize("case", CAS)
def test_compare_and_swap_with_numbers_computes_as_torch(case):
    signature, body, make, truth = CAS[case]
    assert_computes_as_torch(kernel(signature, body), make, truth)
