"""A tuple indexed with anything but an integer constant (`(tile, b[tile] * 3.0)[:, None]`, a
name, a slice) was an InternalTranspilerError (AttributeError: 'Slice' object has no attribute
'value'), and an index past its end an IndexError inside the transpiler: the syntax fuzzer's
mutants (seed 3900 of the fuzz19 helper's mutants-only soak, 2026-12-06; add-argument 'tile, '
and '*x, '). Now an UnsupportedConstructError / ShapeError at the subscript, as `tile[i]` of a
loop's tiles; a constant index (negative too) still takes the item, run against float64 torch."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, signed_rand

import transpiler
from transpiler.errors import ShapeError, UnsupportedConstructError

FUZZER_MUTANT = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def cat_columns_into(a: torch.Tensor, b: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    n = a.size(0)
    out = torch.empty_like(like)
    for tile in hl.tile(n):
        out[tile, :] = torch.cat([a[tile][:, None], (tile, b[tile] * 3.0)[:, None]], dim=1)
    return out
"""

SPELLING = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def pick(a: torch.Tensor, b: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty_like(a)
    for tile in hl.tile(a.size(0)):
        pair = (a[tile], b[tile] * 2.0)
        out[tile] = {index}
    return out
"""

REFUSED = [  # the subscript, the error, words of its message, words of its hint
    ("(a[tile], b[tile])[:, None].sum(1)", UnsupportedConstructError, "indexing a tuple", "pair[0]"),
    ("pair[k]", UnsupportedConstructError, "integer constant", "a, b = pair"),
    ("pair[0:1]", UnsupportedConstructError, "indexing a tuple", "torch.stack"),
    ("pair[2] + 1", ShapeError, "item 2 of a tuple of 2", None),
    ("pair[-3]", ShapeError, "item -3 of a tuple of 2", None),
]  # fmt: skip


def test_the_fuzzers_mutant_is_refused_at_the_tuples_subscript():
    with pytest.raises(UnsupportedConstructError) as raised:
        transpiler.transpile(FUZZER_MUTANT)
    line = next(i for i, t in enumerate(FUZZER_MUTANT.splitlines(), 1) if "(tile, b" in t)
    assert raised.value.lineno == line
    assert "(tile, b[tile] * 3.0)[:, None]" in str(raised.value)
    assert "indexing a tuple with anything but an integer constant" in str(raised.value)


@pytest.mark.parametrize(("index", "error", "words", "hint"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_tuple_indexed_with_no_integer_constant_is_refused_with_a_hint(index, error, words, hint):
    source = SPELLING.format(index=index)
    with pytest.raises(error) as raised:
        transpiler.transpile(source)
    assert raised.value.lineno == source.splitlines().index(f"        out[tile] = {index}") + 1
    assert words in str(raised.value)
    assert hint is None or hint in str(raised.value)
    assert "InternalTranspilerError" not in repr(raised.value)


@pytest.mark.parametrize(("index", "truth"), [("pair[1]", 1), ("pair[-2] - pair[-1]", None)])
def test_a_constant_index_takes_the_item(index, truth):
    a, b = signed_rand(37), signed_rand(37)
    result = generated(SPELLING.format(index=index), "pick", a, b, 3)(a, b, 3)
    expected = b.double() * 2 if truth == 1 else a.double() - b.double() * 2
    assert_matches(result, expected, torch.float32)
