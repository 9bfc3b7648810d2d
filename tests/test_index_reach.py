"""User-style probes of indices computed from tile indices (`x[tile.index + 1]`, `x[n - 1 -
tile.index]`, `x[tile.index * 2]`, `x[tile.index // 2]`): inside the tensor they match torch;
one reaching past the dimension is an IndexError at the launch naming the line, as torch's
indexing raises one, never a read or a write past the tensor (index_reach.py). A user's
`extra_mask` keeps the index inside, so no check. `//` and `%` of tile indices by a positive
literal are Triton's own operators (no flooring helper)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated, reference

from transpiler.reference.mode import reference_function

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def diff(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile.index + 1] - x[tile]
    return out


@helion.kernel()
def diff_inside(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty([n - 1], dtype=x.dtype, device=x.device)
    for tile in hl.tile(n - 1):
        out[tile] = x[tile.index + 1] - x[tile]
    return out


@helion.kernel()
def flip(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        out[tile] = x[n - 1 - tile.index]
    return out


@helion.kernel()
def roll_back(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile.index - 1]
    return out


@helion.kernel()
def evens(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0) // 2], dtype=x.dtype, device=x.device)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile.index * 2] + x[2 * tile.index + 1]
    return out


@helion.kernel()
def upsample(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0) * 2], dtype=x.dtype, device=x.device)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile.index // 2]
    return out


@helion.kernel()
def masked_next(x: torch.Tensor) -> torch.Tensor:
    n = x.size(0)
    out = torch.empty_like(x)
    for tile in hl.tile(n):
        nxt = tile.index + 1
        out[tile] = hl.load(x, [nxt], extra_mask=nxt < n)
    return out


@helion.kernel()
def rows_shifted(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m - 2, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m - 2, n]):
        out[tile_m, tile_n] = x[tile_m.index + 2, tile_n] - x[tile_m, tile_n]
    return out


@helion.kernel()
def flat_rows(x: torch.Tensor, shift: int) -> torch.Tensor:
    m, n = x.size()
    flat = x.view(-1)
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = flat[tile_m.index[:, None] * n + tile_n.index[None, :] + shift]
    return out


@helion.kernel()
def store_strided(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        out[tile.index * 3] = x[tile]
    return out


@helion.kernel()
def gather_wrapped(col: torch.Tensor, table: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    m, k = col.shape
    for tile_m, tile_k, tile_p in hl.tile([m, k, out.size(2)]):
        out[tile_m, tile_k, tile_p] = table[
            col[tile_m, tile_k][:, :, None],
            tile_p.index[None, None, :],
        ]
    return out


@helion.kernel()
def next_two_continued(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile.index \
                      + 2] + x[
            tile.index + 1
        ]
    return out
"""

INSIDE = [
    ("diff_inside", (torch.randn(11),)),
    ("flip", (torch.randn(13),)),
    ("roll_back", (torch.randn(9),)),  # index -1 at the first lane: torch's last element
    ("evens", (torch.randn(15),)),
    ("evens", (torch.randn(16),)),
    ("upsample", (torch.randn(7),)),
    ("masked_next", (torch.randn(9),)),
    ("rows_shifted", (torch.randn(7, 5),)),
    ("store_strided", (torch.randn(5), torch.randn(13))),
    ("flat_rows", (torch.randn(5, 7), 0)),
    ("store_strided", (torch.randn(5), torch.randn(15))),
    ("gather_wrapped", (torch.randint(0, 5, (3, 4)), torch.randn(5, 6), torch.randn(3, 4, 6))),
    ("next_two_continued", (torch.randn(11), torch.randn(9))),
]


def _copy(arg, dtype=None):
    """A fresh copy; floats in `dtype` (index tensors keep theirs)."""
    if not isinstance(arg, torch.Tensor):
        return arg
    return arg.to(dtype if dtype and arg.is_floating_point() else arg.dtype, copy=True)


@pytest.mark.parametrize(("name", "args"), INSIDE, ids=[f"{n}-{a[0].shape[0]}" for n, a in INSIDE])
def test_indices_inside_match_torch(name, args):
    expected = reference(SOURCE, name)(*[_copy(a, torch.float64) for a in args])
    actual = generated(SOURCE, name, *args)(*[_copy(a) for a in args])
    assert_matches(actual, expected)


OUTSIDE = [
    (
        "diff",
        (torch.randn(10),),
        r"line 11: x\[tile.index \+ 1\] reaches index 10, outside x's dim 0 \(10\)",
    ),
    (
        "store_strided",
        (torch.randn(5), torch.randn(12)),
        r"out\[tile.index \* 3\] reaches index 12, outside out's dim 0 \(12\)",
    ),
    ("rows_shifted", (torch.randn(7, 5).t(),), None),  # 5 x 7: fine (m - 2 rows)
    ("flat_rows", (torch.randn(5, 7), 1), r"reaches indices 1 to 35, outside flat's dim 0 \(35\)"),
    (  # a subscript the user wrapped over lines reads as one line in the message
        "gather_wrapped",
        (torch.randint(0, 5, (3, 4)), torch.randn(5, 4), torch.randn(3, 4, 6)),
        r"line \d+: table\[col\[tile_m, tile_k\]\[:, :, None\], tile_p.index\[None, None, :\]\] "
        r"reaches index 5, outside table's dim 1 \(4\)",
    ),
    (
        "next_two_continued",
        (torch.randn(11), torch.randn(10)),
        r"x\[tile.index \+ 2\] reaches index 11, outside x's dim 0 \(11\)",
    ),
]


def test_an_index_past_the_dimension_is_an_index_error_naming_the_line():
    for name, args, message in OUTSIDE:
        launcher = generated(SOURCE, name, *args)
        if message is None:
            launcher(*args)
            continue
        with pytest.raises(IndexError, match=message):
            launcher(*args)
        # torch agrees, on the CPU: on a GPU eager indexing past a dimension is a device-side
        # assert, not an IndexError, and it poisons the CUDA context of every later test
        with pytest.raises(IndexError):
            reference_function(SOURCE, name, filename="kernels.py")(*args)


def test_a_masked_load_needs_no_check_and_floor_division_of_tile_indices_is_plain():
    import transpiler

    code = transpiler.transpile_module(SOURCE, only=("masked_next", "upsample")).code
    assert "IndexError" not in code.split("def masked_next(")[1].split("def ")[0]
    assert "floor_divide" not in code and "offsets // 2" in code
