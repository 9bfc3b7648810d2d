"""Probes (round 17) refused at the user's line and column with a hint naming the fix.

Found in round 17: `x[..., tc]` (an ellipsis in a subscript of a host tensor, valid torch) was
refused as "... is not supported inside a device loop" with the hint "device code is
straight-line tensor arithmetic on tiles", which names no fix. Now the refusal is at the `...`,
its hint spelling the `:`s it stands for (index_refusals.refuse_ellipsis); the spelling it names
computes as torch. (Still refused, left open: `...` itself; a block's view takes it,
`v.mean(-1)[..., None]`.)"""

from __future__ import annotations

import pytest
from helpers import DEVICE, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

LOOP = """    a, b, c = x.shape
    out = torch.empty_like(x)
    for {tile} in hl.tile({size}):
        {store} = {load} * 2
    return out
"""
CASES = {  # tile, size, store, load, the refused text, the hint's spelling
    "the_user_s_last_dim": ("tc", "c", "out[:, :, tc]", "x[..., tc]", "x[..., tc]", "x[:, :, tc]"),
    "a_store_through_dots": ("tc", "c", "out[..., tc]", "x[:, :, tc]", "out[..., tc]", "out[:, :, tc]"),
    "trailing_dots": ("ta", "a", "out[ta, :, :]", "x[ta, ...]", "x[ta, ...]", "x[ta, :, :]"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_an_ellipsis_of_a_host_tensor_is_refused_at_it_spelling_the_colons(case):
    tile, size, store, load, refused, fix = CASES[case]
    source = kernel("x: torch.Tensor", LOOP.format(tile=tile, size=size, store=store, load=load))
    line = next(n for n, text in enumerate(source.splitlines(), 1) if refused in text)
    assert_refused_at(source, line, "...", "`...` in a subscript of a host tensor", fix)


@pytest.mark.parametrize("case", CASES)
def test_the_colons_the_hint_spells_compute_as_torch(case):
    tile, size, store, load, refused, fix = CASES[case]
    store, load = (fix if text == refused else text for text in (store, load))
    source = kernel("x: torch.Tensor", LOOP.format(tile=tile, size=size, store=store, load=load))
    assert_computes_as_torch(source, lambda: [signed_rand(3, 5, 9).to(DEVICE)], lambda x: x * 2)
