"""Evaluator-style probes of views of tiles in device code (unsqueeze, `[:, None]`, expand,
squeeze of a keepdim reduction, flatten, `.t()` / `.permute` before a store, torch.stack of two)
on odd sizes and non-contiguous inputs against float64 torch: all matched. What Triton's
power-of-two blocks cannot hold (a reshape to n // 2 lanes, a stack of three, a cat along a
run-time length) and a spelling the shape analysis does not follow (the squeeze of a unit
tile's row) are refused at their line; the squeeze of a constant slice
`x[tile, 2:3].squeeze(-1)` computes as torch's."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, device_args, generated, reference

import transpiler
from transpiler.errors import ShapeError

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def outer_unsqueeze(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), y.size(0)], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([x.size(0), y.size(0)]):
        out[tile_m, tile_n] = x[tile_m].unsqueeze(1) * y[tile_n].unsqueeze(0)
    return out


@helion.kernel()
def outer_none(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty([x.size(0), y.size(0)], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([x.size(0), y.size(0)]):
        out[tile_m, tile_n] = x[tile_m][:, None] - y[tile_n][None, :]
    return out


@helion.kernel()
def expand_rows(x: torch.Tensor, n: int) -> torch.Tensor:
    m = x.size(0)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m][:, None].expand(tile_m, tile_n) + tile_n.index[None, :]
    return out


@helion.kernel()
def keepdim_squeeze(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        s = x[tile_m, :].sum(1, keepdim=True)
        out[tile_m] = s.squeeze(1) * 2
    return out


@helion.kernel()
def flatten_sum(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b], dtype=x.dtype, device=x.device)
    for tile_b in hl.tile(b):
        out[tile_b] = x[tile_b, :, :].flatten(1).amax(-1)
    return out


@helion.kernel()
def transpose_store(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_n, tile_m] = x[tile_m, tile_n].t() * 3
    return out


@helion.kernel()
def permute_store(x: torch.Tensor) -> torch.Tensor:
    a, b, c = x.size()
    out = torch.empty([c, a, b], dtype=x.dtype, device=x.device)
    for tile_a, tile_b, tile_c in hl.tile([a, b, c]):
        out[tile_c, tile_a, tile_b] = x[tile_a, tile_b, tile_c].permute(2, 0, 1) + 1
    return out


@helion.kernel()
def cat_columns(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m = x.size(0)
    out = torch.empty([m, 2], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.stack([x[tile_m], y[tile_m]], dim=1)
    return out


@helion.kernel()
def unsqueeze_middle(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    b, n = x.size()
    c = w.size(0)
    out = torch.empty([b, c, n], dtype=x.dtype, device=x.device)
    for tile_b, tile_c, tile_n in hl.tile([b, c, n]):
        out[tile_b, tile_c, tile_n] = x[tile_b, tile_n].unsqueeze(1) * w[tile_c][None, :, None]
    return out


@helion.kernel()
def view_3d_rows(x: torch.Tensor) -> torch.Tensor:
    b, m, n = x.size()
    out = torch.empty([b, m], dtype=x.dtype, device=x.device)
    for tile_b, tile_m in hl.tile([b, m]):
        v = x[tile_b, tile_m, :]
        out[tile_b, tile_m] = (v - v.mean(-1, keepdim=True)).pow(2).sum(-1)
    return out



@helion.kernel()
def unsqueeze_sum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        v = x[tile_m, tile_n].unsqueeze(-1).unsqueeze(0)
        out[tile_m, tile_n] = v.sum(-1).squeeze(0) - v.amax(0).squeeze(-1) + 1
    return out


@helion.kernel()
def squeeze_column(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, 2:3].squeeze(-1) + x[tile_m, 0]
    return out
"""

REFUSED = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def reshape_pairs(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    n = hl.specialize(n)
    out = torch.empty([m, n // 2], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        v = x[tile_m, :].reshape(tile_m, n // 2, 2)
        out[tile_m, :] = v[:, :, 0] - v[:, :, 1]
    return out


@helion.kernel()
def view_pairs_sum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    n = hl.specialize(n)
    out = torch.empty([m, n // 2], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = x[tile_m, :].view(tile_m, n // 2, 2).sum(-1)
    return out


@helion.kernel()
def cat_rows(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    k = y.size(1)
    out = torch.empty([m, n + k], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.cat([x[tile_m, :], y[tile_m, :] * 2], dim=1)
    return out


@helion.kernel()
def stack_sum(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.stack([x[tile], y[tile], x[tile] * y[tile]]).sum(0)
    return out


@helion.kernel()
def unit_rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m, block_size=1):
        out[tile_m] = x[tile_m, :].squeeze(0).amax(-1, keepdim=True)
    return out
"""


def r(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64).float()


def D(t: torch.Tensor) -> torch.Tensor:  # noqa: N802 - the float64 truth
    return t.double()


CASES = [
    ("outer_unsqueeze", lambda: (r(37), r(58)[::2]), lambda x, y: D(x)[:, None] * D(y)),
    ("outer_none", lambda: (r(74)[::2], r(13)), lambda x, y: D(x)[:, None] - D(y)),
    ("expand_rows", lambda: (r(13), 29), lambda x, n: D(x)[:, None] + torch.arange(n)),
    ("keepdim_squeeze", lambda: (r(13, 29),), lambda x: D(x).sum(1) * 2),
    ("keepdim_squeeze", lambda: (r(29, 13).t(),), lambda x: D(x).sum(1) * 2),
    ("flatten_sum", lambda: (r(3, 5, 7),), lambda x: D(x).flatten(1).amax(-1)),
    ("flatten_sum", lambda: (r(7, 5, 3).permute(2, 1, 0),), lambda x: D(x).flatten(1).amax(-1)),
    ("transpose_store", lambda: (r(13, 29),), lambda x: D(x).t() * 3),
    ("transpose_store", lambda: (r(29, 13).t(),), lambda x: D(x).t() * 3),
    ("permute_store", lambda: (r(3, 5, 7),), lambda x: D(x).permute(2, 0, 1) + 1),
    ("permute_store", lambda: (r(7, 3, 5).permute(1, 2, 0),), lambda x: D(x).permute(2, 0, 1) + 1),
    ("cat_columns", lambda: (r(37), r(74)[::2]), lambda x, y: torch.stack([D(x), D(y)], 1)),
    (
        "unsqueeze_middle",
        lambda: (r(3, 7), r(5)),
        lambda x, w: D(x)[:, None, :] * D(w)[None, :, None],
    ),
    (
        "view_3d_rows",
        lambda: (r(3, 5, 7),),
        lambda x: (D(x) - D(x).mean(-1, keepdim=True)).pow(2).sum(-1),
    ),
    ("unsqueeze_sum", lambda: (r(13, 29),), lambda x: torch.ones(13, 29, dtype=torch.float64)),
    # the slice of one index squeezed (was refused: tests/test_valid17_squeeze.py)
    ("squeeze_column", lambda: (r(13, 7),), lambda x: D(x)[:, 2] + D(x)[:, 0]),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_views_of_tiles_compute_as_float64_torch(name, make, truth):
    args = make()
    expected = truth(*args)
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    result = generated(SOURCE, name, *args)(*args)
    assert result.shape == expected.shape
    assert_matches(result, expected, torch.float32)
    assert_matches(reference(SOURCE, name)(*fresh), expected, torch.float32)


@pytest.mark.parametrize("name", ["transpose_store", "permute_store", "flatten_sum"])
def test_views_compile_for_sm_90(name):
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    x = torch.randn(13, 29) if name == "transpose_store" else torch.randn(3, 5, 7)
    (result,) = kernel.bind(device_args((x,))).compile_for("sm_90")
    assert result.asm["ttir"]


REFUSALS = [
    ("reshape_pairs", ".reshape(tile_m, n // 2, 2)", "powers of two", "tile.block_size"),
    ("view_pairs_sum", ".view(tile_m, n // 2, 2)", "powers of two", "tile.block_size"),
    ("cat_rows", "torch.cat(", "a length known only at run time", "torch.stack"),
    ("stack_sum", "torch.stack(", "power-of-two sizes", "stack 2, 4 or 8 values"),
    ("unit_rows", ".squeeze(0)", "squeeze of a dimension that is not size 1", "[:, None]"),
]


@pytest.mark.parametrize(("name", "text", "words", "hint"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_what_blocks_cannot_hold_is_refused_at_the_line(name, text, words, hint):
    lines = REFUSED.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if text in t)
    args = {
        "reshape_pairs": (torch.randn(5, 32),),
        "view_pairs_sum": (torch.randn(5, 30),),
        "cat_rows": (torch.randn(5, 3), torch.randn(5, 4)),
        "stack_sum": (torch.randn(5), torch.randn(5)),
        "unit_rows": (torch.randn(5, 7),),
    }[name]
    with pytest.raises(ShapeError) as raised:
        transpiler.transpile_module(
            REFUSED, filename="kernels.py", example_args={name: args}, only=(name,)
        )
    assert raised.value.lineno == line and words in str(raised.value)
    assert hint in str(raised.value)
