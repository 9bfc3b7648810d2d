"""hl.rand / hl.randint: Triton's Philox numbers, the same in the generated kernel and in
reference mode; and our low-memory dropout built on them."""

from __future__ import annotations

import os

import pytest
import torch
import triton
import triton.language as tl
from helpers import both_truths, generated, reference

from transpiler.reference import philox


def positive(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Never zero, so a dropped element (0) cannot be mistaken for a kept one."""
    return (torch.rand(*shape, dtype=torch.float64) + 0.5).to(dtype)


@pytest.mark.parametrize("dtype", [torch.float16, torch.float32], ids=str)
@pytest.mark.parametrize("shape", [(1000,), (37, 53)], ids=str)
def test_low_mem_dropout(shape, dtype):
    p, x = 0.3, positive(*shape, dtype=dtype)
    ours, expected_ours = both_truths("examples.py", "low_mem_dropout", p, x, 123)
    assert torch.equal(ours, expected_ours)  # reference mode draws the very same numbers
    again, _ = both_truths("examples.py", "low_mem_dropout", p, x, 123)
    assert torch.equal(ours, again)
    other, _ = both_truths("examples.py", "low_mem_dropout", p, x, 124)
    assert not torch.equal(ours == 0, other == 0)
    kept = ours != 0
    assert abs(1 - kept.double().mean().item() - p) < 0.05
    scaled = (x.double() / (1 - p)).to(dtype).double()
    torch.testing.assert_close(ours.double()[kept], scaled[kept], atol=0, rtol=2e-3)


RANDOM_KERNELS = """
import torch
import helion
import helion.language as hl


@helion.kernel(config=helion.Config(block_sizes=[16, 8]))
def uniform(x: torch.Tensor, seed: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = hl.rand([tile_m, tile_n], seed=seed)
    return out


@helion.kernel()
def dice(x: torch.Tensor, seed: int) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=torch.int32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = hl.randint([tile_m, n], 1, 7, seed=seed)
    return out


@helion.kernel()
def shifted_uniform(x: torch.Tensor, seed: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + hl.rand([tile], seed=seed)
    return out
"""


def test_rand_offsets_are_linear_indices():
    """Element (i, j) of an m×n shape draws at offset i·n + j, whatever the block sizes."""
    x = positive(29, 45)
    ours = generated(RANDOM_KERNELS, "uniform", x, 7)(x, 7)
    expected = philox.philox_rand(7, torch.arange(29 * 45).view(29, 45))
    assert torch.equal(ours, expected)
    assert torch.equal(reference(RANDOM_KERNELS, "uniform")(x, 7), expected)
    assert 0 <= ours.min() and ours.max() < 1 and abs(ours.mean().item() - 0.5) < 0.05


def test_randint_range_and_reference():
    x = positive(31, 19)
    ours = generated(RANDOM_KERNELS, "dice", x, 5)(x, 5)
    assert ours.dtype == torch.int32
    assert torch.equal(ours, reference(RANDOM_KERNELS, "dice")(x, 5))
    assert set(ours.unique().tolist()) == {1, 2, 3, 4, 5, 6}
    other = generated(RANDOM_KERNELS, "dice", x, 6)(x, 6)
    assert not torch.equal(ours, other)


def test_seed_in_a_tensor():
    x, seed = positive(77), torch.tensor([99], dtype=torch.int64)
    ours = generated(RANDOM_KERNELS, "shifted_uniform", x, seed)(x, seed)
    expected = x.double() + philox.philox_rand(99, torch.arange(77)).double()
    torch.testing.assert_close(ours.double(), expected)
    # the same numbers; on a GPU the float32 add may round its last bit differently
    torch.testing.assert_close(ours, reference(RANDOM_KERNELS, "shifted_uniform")(x, seed))


@triton.jit
def _triton_random(out_ptr, words_ptr, seed, n, BLOCK: tl.constexpr):
    offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    tl.store(out_ptr + offsets, tl.rand(seed, offsets), mask=mask)
    tl.store(words_ptr + offsets, tl.randint(seed, offsets).to(tl.int32, bitcast=True), mask=mask)


@pytest.mark.skipif(
    os.environ.get("TRITON_INTERPRET") != "1" and not torch.cuda.is_available(),
    reason="needs Triton's interpreter or a GPU",
)
@pytest.mark.parametrize("seed", [0, 1, 42, 2**40 + 7])
def test_philox_is_tritons(seed):
    """Our torch Philox (reference mode) against tl.rand / tl.randint, bit for bit."""
    device = "cuda" if torch.cuda.is_available() else "cpu"
    n = 1000
    out = torch.empty(n, device=device)
    words = torch.empty(n, dtype=torch.int32, device=device)
    _triton_random[(triton.cdiv(n, 128),)](out, words, seed, n, BLOCK=128)
    offsets = torch.arange(n)
    assert torch.equal(out.cpu(), philox.philox_rand(seed, offsets))
    signed = philox.philox_words(seed, offsets)
    signed = torch.where(signed >= 2**31, signed - 2**32, signed).to(torch.int32)
    assert torch.equal(words.cpu(), signed)
