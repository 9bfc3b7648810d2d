"""Probes (round 18): a chained comparison of blocks is refused, as torch refuses it.

Found in round 18: `0 < v < 0.5` on a block was computed as `(0 < v) & (v < 0.5)`; Python
calls bool() on each part of a chain but the last, which torch refuses for a tensor of several
values (and Helion's compiler refuses `and` on tensors). Now refused at the comparison, its hint
spelling the `&` form (lower/chained_comparisons.py); that form, and a chain of host numbers
or 0-d values, compute as torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

LOOP = """    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        out[tile] = torch.where({condition}, v, 0.25)
    return out
"""
CHAINS = {  # the chain, the `&` form the hint spells, torch's answer of that form
    "the_user_s_band": ("0 < v < 0.5", "(0 < v) & (v < 0.5)", lambda x, lo: (0 < x) & (x < 0.5)),
    "three_parts": ("v >= lo > v - 1.5 != 0", "(v >= lo) & (lo > v - 1.5) & (v - 1.5 != 0)",
                    lambda x, lo: (x >= lo) & (lo > x - 1.5) & (x - 1.5 != 0)),
    "a_block_in_the_middle": ("lo < v <= 0.75", "(lo < v) & (v <= 0.75)", lambda x, lo: (lo < x) & (x <= 0.75)),
}  # fmt: skip


def _inputs():
    return [signed_rand(77).to(DEVICE), -0.3]


@pytest.mark.parametrize("case", CHAINS)
def test_a_chain_of_blocks_is_refused_with_the_and_form(case):
    chain, fix, _ = CHAINS[case]
    source = kernel("x: torch.Tensor, lo: float", LOOP.format(condition=chain))
    line = next(n for n, text in enumerate(source.splitlines(), 1) if chain in text)
    assert_refused_at(source, line, chain, "chained comparison of a block", f"write {fix}")


@pytest.mark.parametrize("case", CHAINS)
def test_the_and_form_the_hint_spells_computes_as_torch(case):
    _, fix, truth = CHAINS[case]
    source = kernel("x: torch.Tensor, lo: float", LOOP.format(condition=fix))
    expected = lambda x, lo: torch.where(truth(x, lo), x, 0.25)  # noqa: E731
    assert_computes_as_torch(source, _inputs, expected)


def test_a_chain_of_host_numbers_ending_in_a_block_computes_as_torch():
    """Python calls bool() on `-1.0 < lo` and `lo < 0.0` alone: valid torch."""
    source = kernel("x: torch.Tensor, lo: float", LOOP.format(condition="-1.0 < lo < 0.0 < v"))
    expected = lambda x, lo: torch.where(-1.0 < lo < 0.0 < x, x, 0.25)  # noqa: E731
    assert_computes_as_torch(source, _inputs, expected)
