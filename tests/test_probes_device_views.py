"""User-style probes of device code: index arithmetic (stencils, strided and upsampled reads, a
flip, a wrap-around `tile.index - 1`, shifted stores), masks and selections, views of blocks
(`.t()`, `.permute`, `unsqueeze`, `torch.stack`, `expand_as`, a reshape, and `...` in a view:
`v.mean(-1)[..., None]` was refused), each against float64 torch; what device code cannot
hold (a while on a tile's sum, break, continue, a boolean index, torch.arange, a size of -1) refused at its
line with a hint naming the fix."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def smooth(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros_like(x)
    for tile in hl.tile(1, x.size(0) - 1):
        out[tile] = x[tile.index - 1] + 2 * x[tile] + x[tile.index + 1]
    return out


@helion.kernel()
def pair_sums(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(0) // 2, dtype=x.dtype, device=x.device)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile.index * 2] + x[tile.index * 2 + 1]
    return out


@helion.kernel()
def upsample(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(0) * 2, dtype=x.dtype, device=x.device)
    for tile in hl.tile(out.size(0)):
        out[tile] = x[tile.index // 2]
    return out


@helion.kernel()
def flip_columns(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, n - 1 - tile_n.index]
    return out


@helion.kernel()
def periodic_scale(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * w[tile.index % 3]
    return out


@helion.kernel()
def every_other(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(0) // 2, x.size(1) // 2, dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([out.size(0), out.size(1)]):
        out[tile_m, tile_n] = x[tile_m.index * 2, tile_n.index * 2]
    return out


@helion.kernel()
def previous(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile.index - 1]
    return out


@helion.kernel()
def shifted_store(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros(x.size(0) + 1, dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile.index + 1] = x[tile]
    return out


@helion.kernel()
def larger(r: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    out = torch.empty(r.size(0), c.size(0), dtype=r.dtype, device=r.device)
    for tile_m, tile_n in hl.tile([r.size(0), c.size(0)]):
        out[tile_m, tile_n] = torch.where(r[tile_m][:, None] > c[tile_n], r[tile_m][:, None], c[tile_n])
    return out


@helion.kernel()
def band(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        out[tile] = torch.where((-0.5 < v) & (v < 0.5), v, 0.0) + torch.logical_and(v > 0, torch.logical_not(v > 1)).to(x.dtype)
    return out


@helion.kernel()
def positive_share(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(0), dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile] = (x[tile, :] > 0).float().mean(-1)
    return out


@helion.kernel()
def transposed(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty(n, m, dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_n, tile_m] = x[tile_m, tile_n].t() + x[tile_m, tile_n].T
    return out


@helion.kernel()
def last_first(x: torch.Tensor) -> torch.Tensor:
    a, b, c = x.size()
    out = torch.empty(c, a, b, dtype=x.dtype, device=x.device)
    for tile_a, tile_b in hl.tile([a, b]):
        out[:, tile_a, tile_b] = x[tile_a, tile_b, :].permute(2, 0, 1)
    return out


@helion.kernel()
def differences(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    out = torch.empty(a.size(0), b.size(0), dtype=a.dtype, device=a.device)
    for tile_m, tile_n in hl.tile([a.size(0), b.size(0)]):
        out[tile_m, tile_n] = a[tile_m].unsqueeze(1) - b[tile_n].unsqueeze(0)
    return out


@helion.kernel()
def four_rows(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty(4, x.size(0), dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[:, tile] = torch.stack([x[tile], y[tile], x[tile] + y[tile], x[tile] - y[tile]])
    return out


@helion.kernel()
def row_scaled(x: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        v = x[tile_m, tile_n]
        out[tile_m, tile_n] = b[tile_m][:, None].expand_as(v) * v
    return out


@helion.kernel()
def grouped_sums(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty(x.size(0), 4, dtype=x.dtype, device=x.device)
    for tile in hl.tile(x.size(0)):
        out[tile, :] = x[tile, :].reshape(tile.block_size, 4, 4).sum(1)
    return out


@helion.kernel()
def centred(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile, :]
        out[tile, :] = v - v.mean(-1)[..., None] + v[...] * 2
    return out


@helion.kernel()
def column_scaled(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([x.size(0), x.size(1)]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * w[tile_n][None, ...]
    return out


@helion.kernel()
def normalised_rows(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_b, tile_m in hl.tile([x.size(0), x.size(1)]):
        v = x[tile_b, tile_m, :]
        out[tile_b, tile_m, :] = v / v.sum(-1)[:, ..., None] - v.amax(-1)[..., None]
    return out
"""

# (kernel, inputs, torch's answer): odd sizes
CASES = [
    (
        "smooth",
        lambda: (torch.randn(41),),
        lambda x: torch.cat([x[:1] * 0, x[:-2] + 2 * x[1:-1] + x[2:], x[:1] * 0]),
    ),
    ("pair_sums", lambda: (torch.randn(46),), lambda x: x[0::2] + x[1::2]),
    ("upsample", lambda: (torch.randn(23),), lambda x: x.repeat_interleave(2)),
    ("flip_columns", lambda: (torch.randn(13, 19),), lambda x: x.flip(1)),
    (
        "periodic_scale",
        lambda: (torch.randn(31), torch.randn(3)),
        lambda x, w: x * w.repeat(11)[:31],
    ),
    ("every_other", lambda: (torch.randn(14, 22),), lambda x: x[::2, ::2]),
    ("previous", lambda: (torch.randn(37),), lambda x: x.roll(1)),
    ("shifted_store", lambda: (torch.randn(33),), lambda x: torch.cat([x[:1] * 0, x])),
    (
        "larger",
        lambda: (torch.randn(13), torch.randn(19)),
        lambda r, c: torch.where(r[:, None] > c, r[:, None], c),
    ),
    (
        "band",
        lambda: (torch.randn(37) * 2,),
        lambda v: torch.where((v > -0.5) & (v < 0.5), v, 0.0) + ((v > 0) & ~(v > 1)).double(),
    ),
    ("positive_share", lambda: (torch.randn(7, 37),), lambda x: (x > 0).double().mean(-1)),
    ("transposed", lambda: (torch.randn(13, 19),), lambda x: 2 * x.t()),
    ("last_first", lambda: (torch.randn(5, 7, 8),), lambda x: x.permute(2, 0, 1)),
    ("differences", lambda: (torch.randn(13), torch.randn(17)), lambda a, b: a[:, None] - b),
    (
        "four_rows",
        lambda: (torch.randn(13), torch.randn(13)),
        lambda x, y: torch.stack([x, y, x + y, x - y]),
    ),
    ("row_scaled", lambda: (torch.randn(13, 19), torch.randn(13)), lambda x, b: x * b[:, None]),
    ("grouped_sums", lambda: (torch.randn(13, 16),), lambda x: x.reshape(13, 4, 4).sum(1)),
    ("centred", lambda: (torch.randn(13, 7),), lambda x: x - x.mean(-1)[..., None] + x * 2),
    ("column_scaled", lambda: (torch.randn(13, 7), torch.randn(7)), lambda x, w: x * w),
    (
        "normalised_rows",
        lambda: (torch.rand(3, 13, 7) + 0.5,),
        lambda x: x / x.sum(-1)[:, ..., None] - x.amax(-1)[..., None],
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_device_code_computes_as_torch(name, make, truth):
    args = make()
    expected = truth(*[a.double() for a in args])
    result = generated(SOURCE, name, *args)(*[a.clone() for a in args])
    assert_matches(result, expected)


# (loop body, the refusal's words, the hint's words): each at its line of the body (10 to 12)
REFUSED = [
    (
        "    v = x[tile]\n    while v.sum() > 0:\n        v = v - 1",
        "while condition reduces",
        "while i < n",
    ),
    ("    for i in range(3):\n        if i == 1:\n            break", "break", "while i < n"),
    ("    for i in range(3):\n        if i == 1:\n            continue", "continue", "torch.where"),
    ("    v = x[tile]\n    out[tile] = v[v > 0]", "indexing a block", "None"),
    ("    out[tile] = x[tile] + torch.arange(16, device=x.device)", "arange", "hl.arange"),
    ("    out[tile] = x[tile].view(-1, 2).sum(-1)", "-1", "tile.block_size"),
    ("    out[tile] = x[tile.begin : tile.begin + 4]", "the slice", "tiles match"),
    ("    for j in reversed(range(3)):\n        out[tile] = x[tile] * j", "for loop", "-1, -1)"),
    ("    out[tile] = torch.outer(x[tile], x[tile]).sum(-1)", "outer", "[:, None] * b"),
]


@pytest.mark.parametrize(("body", "words", "hint"), REFUSED, ids=[r[1] for r in REFUSED])
def test_what_device_code_cannot_hold_is_refused_at_the_line(body, words, hint):
    source = (
        "import helion\nimport helion.language as hl\nimport torch\n\n\n"
        "@helion.kernel()\ndef k(x: torch.Tensor) -> torch.Tensor:\n"
        "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        + "\n".join("    " + line for line in body.split("\n"))
        + "\n    return out\n"
    )
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(source, "k", torch.randn(32))
    message = str(caught.value)
    assert words in message and "hint:" in message and hint in message.split("hint:")[1], message
    assert message.startswith("kernels.py:") and 10 <= int(message.split(":")[1]) <= 12, message
