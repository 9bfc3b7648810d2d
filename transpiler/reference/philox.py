"""Triton's Philox 4x32-10 generator in torch, so reference mode draws the kernel's numbers.

`tl.rand(seed, offsets)` runs ten Philox rounds on the counter (offset low word, offset high
word, 0, 0) with the key (seed low word, seed high word) and turns the first word into a float
in [0, 1). This module does the same arithmetic with int64 tensors holding unsigned 32-bit
words, on whatever device the offsets live on; the numbers are bit-for-bit Triton's.
"""

from __future__ import annotations

import torch

WORD = (1 << 32) - 1
ROUNDS = 10
# The Philox 4x32 multipliers and key increments (Salmon et al., "Parallel random numbers:
# as easy as 1, 2, 3", SC 2011), the same constants Triton uses.
MULTIPLIER_A = 0xD2511F53
MULTIPLIER_B = 0xCD9E8D57
KEY_STEP_A = 0x9E3779B9
KEY_STEP_B = 0xBB67AE85
# The largest float32 scale with (2**31 - 1) * scale < 1: Triton's uint → [0, 1) factor.
UNIFORM_SCALE = 4.6566127342e-10


def _multiply_words(constant: int, word: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(high word, low word) of the 64-bit product constant * word, without int64 overflow."""
    low_half, high_half = word & 0xFFFF, word >> 16
    with_low = constant * low_half  # < 2**48
    with_high = constant * high_half  # < 2**48
    partial = ((with_high & 0xFFFF) << 16) + with_low  # the product's low 48 bits and a carry
    return (with_high >> 16) + (partial >> 32), partial & WORD


def philox_words(seed: int | torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """The first output word of Philox 4x32-10 for each offset (int64 tensor of uint32 values)."""
    offsets = offsets.to(torch.int64)
    seed = int(seed.item()) if isinstance(seed, torch.Tensor) else int(seed)
    seed &= (1 << 64) - 1
    key0, key1 = seed & WORD, seed >> 32
    counter0, counter1 = offsets & WORD, (offsets >> 32) & WORD
    counter2 = torch.zeros_like(offsets)
    counter3 = torch.zeros_like(offsets)
    for _ in range(ROUNDS):
        high_b, low_b = _multiply_words(MULTIPLIER_B, counter2)
        high_a, low_a = _multiply_words(MULTIPLIER_A, counter0)
        counter0, counter2 = high_b ^ counter1 ^ key0, high_a ^ counter3 ^ key1
        counter1, counter3 = low_b, low_a
        key0, key1 = (key0 + KEY_STEP_A) & WORD, (key1 + KEY_STEP_B) & WORD
    return counter0


def _signed(words: torch.Tensor) -> torch.Tensor:
    """uint32 words read as int32 (still held in int64)."""
    return torch.where(words >= 1 << 31, words - (1 << 32), words)


def philox_rand(seed: int | torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """`tl.rand(seed, offsets)`: float32 uniform in [0, 1)."""
    signed = _signed(philox_words(seed, offsets))
    magnitude = torch.where(signed < 0, -signed - 1, signed).to(torch.int32)
    return magnitude.to(torch.float32) * torch.tensor(UNIFORM_SCALE, dtype=torch.float32)


def philox_randint(
    seed: int | torch.Tensor, offsets: torch.Tensor, low: int, high: int
) -> torch.Tensor:
    """Helion's hl.randint on top of `tl.randint`: low + |word as int32| % (high - low), int32."""
    magnitude = _signed(philox_words(seed, offsets)).abs()
    return (low + magnitude % (high - low)).to(torch.int32)
