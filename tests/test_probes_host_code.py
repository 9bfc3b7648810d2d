"""User-style probes of host code around device loops: `b, *rest = x.shape` took `rest` (a list)
for the size of dim 1 (a TypeError inside the launcher); host code that already matched torch
(an early return, asserts, a module helper computing sizes, a Python loop over the shape, a
float from the tensor, a view returned) is kept here as tests."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, assert_matches, generated

SOURCE = """
import helion
import helion.language as hl
import torch


def ceil_div(a, b):
    return (a + b - 1) // b


@helion.kernel()
def star_first(x: torch.Tensor) -> torch.Tensor:
    b, *rest = x.shape
    out = torch.empty_like(x)
    for tile_b in hl.tile(b):
        out[tile_b, :] = x[tile_b, :] * 2
    return out


@helion.kernel()
def star_last(x: torch.Tensor) -> torch.Tensor:
    *batch, n = x.shape
    out = torch.empty([n], dtype=x.dtype, device=x.device)
    for tile_n in hl.tile(n):
        out[tile_n] = x[0, tile_n] + x[1, tile_n]
    return out


@helion.kernel()
def star_middle(x: torch.Tensor) -> torch.Tensor:
    b, *middle, n = x.size()
    rows = x.reshape(b, -1)
    out = torch.empty_like(rows)
    for tile_b in hl.tile(b):
        out[tile_b, :] = rows[tile_b, :] - rows[tile_b, :].amax(-1, keepdim=True)
    return out.view(x.shape)


@helion.kernel()
def early_return(x: torch.Tensor) -> torch.Tensor:
    if x.numel() == 0:
        return x.clone()
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
    return out


@helion.kernel()
def checked(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    assert x.size(0) == y.size(0), "sizes differ"
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + y[tile]
    return out


@helion.kernel()
def first_half(x: torch.Tensor) -> torch.Tensor:
    half = ceil_div(x.size(0), 2)
    out = torch.empty(half, dtype=x.dtype, device=x.device)
    for tile in hl.tile(half):
        out[tile] = x[tile] * 3
    return out


@helion.kernel()
def flattened(x: torch.Tensor) -> torch.Tensor:
    total = 1
    for d in x.shape:
        total *= d
    flat = x.reshape(total)
    out = torch.empty_like(flat)
    for tile in hl.tile(total):
        out[tile] = flat[tile] + 0.5
    return out.view(x.shape)[..., 1:]


@helion.kernel()
def scaled_by_max(x: torch.Tensor) -> torch.Tensor:
    scale = float(x.abs().max())
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] / scale
    return out
"""


def _x(*shape):
    return torch.randn(*shape, device=DEVICE) + 0.125


# (kernel, arguments, torch's answer from float64 copies)
CASES = [
    ("star_first", (_x(5, 9),), lambda x: x * 2),
    ("star_first", (_x(7, 3),), lambda x: x * 2),
    ("star_last", (_x(2, 37),), lambda x: x[0] + x[1]),
    ("star_last", (_x(3, 5),), lambda x: x[0] + x[1]),
    ("star_middle", (_x(3, 4, 5),), lambda x: x - x.reshape(3, -1).amax(-1)[:, None, None]),
    (
        "star_middle",
        (_x(2, 3, 4, 5),),
        lambda x: x - x.reshape(2, -1).amax(-1)[:, None, None, None],
    ),
    ("early_return", (_x(33),), lambda x: x * 2),
    ("early_return", (torch.randn(0, device=DEVICE),), lambda x: x),
    ("checked", (_x(33), _x(33)), lambda x, y: x + y),
    ("first_half", (_x(33),), lambda x: x[:17] * 3),
    ("flattened", (_x(4, 9),), lambda x: (x + 0.5)[..., 1:]),
    ("scaled_by_max", (_x(45),), lambda x: x / x.abs().max()),
]


@pytest.mark.parametrize(("name", "args", "truth"), CASES, ids=[c[0] for c in CASES])
def test_host_code_computes_what_torch_does(name, args, truth):
    result = generated(SOURCE, name, *args, filename="host.py")(*args)
    expected = truth(*(a.double().cpu() for a in args))  # the result comes back to the CPU
    assert_matches(result, expected, dtype=torch.float32)


def test_a_failing_assert_in_host_code_fails_as_in_python():
    x, y = _x(33), _x(30)
    with pytest.raises(AssertionError, match="sizes differ"):
        generated(SOURCE, "checked", x, y, filename="host.py")(x, y)
