"""A Python number before an `if` that both paths overwrite with a block of a tensor's values
(`s = 0.0; if c: s = x[tile, :].sum(-1) else: s = x[tile, 0]`): valid torch, whose value before
the `if` is never read. Triton gives a name one type through an `if`, so the kernel compiled in
the interpreter but not for a GPU ("'s' is fp32 before this if and fp32 after a branch").
The number becomes the paths' block before the `if` (branches.numbers_as_blocks), unchecked:
an integer tensor is not refused for a float number nobody reads. Found writing the hash-seed
test (tests/test_fuzz19_hash_seed.py). Each launch is compiled for sm_90 too (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, signed_rand

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[4]))
def both_blocks(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        s = 0.0
        if x[0, 0] > 0:
            s = x[tile, :].sum(-1)
        else:
            s = x[tile, 0]
        out[tile] = s
    return out


@helion.kernel(config=helion.Config(block_sizes=[4]))
def block_or_number(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        s = 0.0
        if x[0, 0] > 0:
            s = x[tile, 0]
        else:
            s = 3.0
        out[tile] = s * 2
    return out


@helion.kernel(config=helion.Config(block_sizes=[8]))
def two_columns(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m):
        pick = 1.5
        if x[0, 0] > 0:
            pick = x[tile, 1]
        else:
            pick = x[tile, 2]
        out[tile] = pick - x[tile, 0]
    return out
"""


def both_blocks(x):
    return x.sum(-1) if x[0, 0] > 0 else x[:, 0]


def block_or_number(x):
    return x[:, 0] * 2 if x[0, 0] > 0 else torch.full_like(x[:, 0], 6.0)


def two_columns(x):
    return (x[:, 1] if x[0, 0] > 0 else x[:, 2]) - x[:, 0]


CASES = [(both_blocks, (13, 7)), (block_or_number, (9, 3)), (two_columns, (21, 5))]


@pytest.mark.parametrize("sign", [1.0, -1.0], ids=["positive", "negative"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
@pytest.mark.parametrize(("truth", "shape"), CASES, ids=[c[0].__name__ for c in CASES])
def test_a_number_both_paths_overwrite_computes_as_float64_torch(truth, shape, dtype, sign):
    x = signed_rand(*shape).to(dtype)
    x[0, 0] = abs(x[0, 0]) * sign
    result = generated(SOURCE, truth.__name__, x)(x)
    assert result.dtype == dtype
    assert_matches(result, truth(x.double()), dtype)


@pytest.mark.parametrize("sign", [1, -1], ids=["positive", "negative"])
def test_an_integer_tensor_is_not_refused_for_the_unread_float(sign):
    x = torch.randint(1, 50, (11, 4), dtype=torch.int32)
    x[0, 0] *= sign
    result = generated(SOURCE, "two_columns", x)(x)
    assert torch.equal(result.cpu(), two_columns(x))
