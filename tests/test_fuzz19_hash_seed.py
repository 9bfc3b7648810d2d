"""Generated code does not depend on PYTHONHASHSEED. Names several that an `if`'s paths leave a
Python number on one path and a block on the other (`s = 0.0` / `s = x[tile, :].sum(-1)`) each
get a line making the number that block (branches.numbers_as_blocks); those lines, and the
launch checks a float number adds, came in a set's order, which the hash seed decides: seeds 0
and 1 gave two orders. Each kernel is transpiled under two hash seeds in fresh processes and the
texts compared; the kernels also run against float64 torch (compiled for sm_90 too, conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from helpers import assert_matches, generated, signed_rand

ROOT = Path(__file__).resolve().parents[1]

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[4]))
def three_names(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        s = 0.0
        t = 1.5
        u = 2.0
        if x[0, 0] > 0:
            s = x[tile, :].sum(-1)
            t = y[tile, :].amax(-1)
            u = x[tile, 1]
        else:
            s = 3.0
            t = x[tile, 0]
            u = 4.0
        out[tile] = s + t * u
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def numbers_before(x: torch.Tensor, k: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        low = -1.0
        high = 0.5
        if k > 0:
            high = x[tile, :].amax(-1)
            low = x[tile, :].amin(-1)
        out[tile] = high - low
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def numbers_in_else(x: torch.Tensor, k: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        if k > 0:
            b = x[tile, 0]
            a = x[tile, 1]
        else:
            b = 0.25
            a = 2.0
        out[tile] = a * 3 - b
    return out
"""

TRANSPILE = "import sys, transpiler; print(transpiler.transpile(sys.stdin.read()))"


def transpiled_under(hash_seed: str) -> str:
    environment = os.environ | {"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", TRANSPILE],
        input=SOURCE,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=True,
    )
    return done.stdout


def test_the_generated_code_is_the_same_under_two_hash_seeds():
    first, second = transpiled_under("0"), transpiled_under("1")
    assert "number_carried(" in first  # the lines whose order was the set's
    assert first == second


def D(t: torch.Tensor) -> torch.Tensor:  # noqa: N802 - the float64 truth
    return t.double()


def three_names(x, y):
    if x[0, 0] > 0:
        return x.sum(-1) + y.amax(-1) * x[:, 1]
    return 3.0 + x[:, 0] * 4.0


CASES = [  # name, x's shape, k (None: y instead), torch's answer from float64 inputs
    ("three_names", (13, 7), None, three_names),
    ("numbers_before", (21, 5), 2, lambda x, k: x.amax(-1) - x.amin(-1)),
    ("numbers_before", (21, 5), -3, lambda x, k: torch.full_like(x[:, 0], 1.5)),
    ("numbers_in_else", (11, 3), 1, lambda x, k: x[:, 1] * 3 - x[:, 0]),
    ("numbers_in_else", (11, 3), 0, lambda x, k: torch.full_like(x[:, 0], 5.75)),
]  # fmt: skip


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["positive", "negative"])
@pytest.mark.parametrize(
    ("name", "shape", "k", "truth"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_the_kernels_compute_as_float64_torch(name, shape, k, truth, sign):
    x = signed_rand(*shape)
    x[0, 0] = abs(x[0, 0]) * sign
    other = signed_rand(shape[0], 6) if k is None else k
    result = generated(SOURCE, name, x, other)(x, other)
    expected = truth(D(x), D(other) if k is None else k)
    assert_matches(result, expected, torch.float32)
