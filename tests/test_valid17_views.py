"""`x.view(-1)` in host code of a tensor whose strides cannot give that view (a transpose, a
column slice) failed inside the generated launcher with torch's own error, naming neither the
user's line nor the fix. The launcher now checks each host `.view(...)` of a tensor before its
statement runs (emit/launcher_checks.view_checks): a RuntimeError naming the source line, the
tensor's sizes and strides, and `.reshape(...)` / `.contiguous().view(...)`. Views torch can
give compute as float64 torch (each launch compiled for sm_90 too, conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def flat_double(x: torch.Tensor) -> torch.Tensor:
    flat = x.view(-1)
    out = torch.empty_like(flat)
    for tile in hl.tile(flat.size(0)):
        out[tile] = flat[tile] * 2
    return out


@helion.kernel()
def pairs_sum(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    pairs = x.view(m * n // 2, 2)
    out = torch.empty([m * n // 2], dtype=x.dtype, device=x.device)
    for tile in hl.tile(m * n // 2):
        out[tile] = pairs[tile, 0] + pairs[tile, 1]
    return out


@helion.kernel()
def rows_of_bits(x: torch.Tensor) -> torch.Tensor:
    bits = x.view(torch.int32)
    out = torch.empty_like(bits)
    for tile_m, tile_n in hl.tile(bits.size()):
        out[tile_m, tile_n] = bits[tile_m, tile_n] + 1
    return out
"""


def line_of(text: str) -> int:
    return next(i for i, t in enumerate(SOURCE.splitlines(), 1) if text in t)


def r(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64).float()


REFUSED = [  # name, an input torch cannot view so, the view as written
    ("flat_double", lambda: r(7, 5).t(), "x.view(-1)"),  # the user's
    ("pairs_sum", lambda: r(9, 12)[:, :6], "x.view(m * n // 2, 2)"),
    ("rows_of_bits", lambda: r(5, 7).half(), "x.view(torch.int32)"),  # 7 halves: no int32s
]


@pytest.mark.parametrize(("name", "make", "written"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_view_torch_cannot_give_is_refused_at_the_users_line(name, make, written):
    x = make()
    with pytest.raises(RuntimeError) as raised:
        generated(SOURCE, name, x)(x)
    message = str(raised.value)
    assert message.startswith(f"line {line_of(written)}: {written} of a tensor of sizes")
    assert f"strides {x.stride()}" in message
    assert ".reshape(...)" in message and ".contiguous().view(...)" in message


VIEWED = [
    ("flat_double", lambda: r(7, 5), lambda x: x.reshape(-1) * 2),
    ("pairs_sum", lambda: r(9, 12), lambda x: x.reshape(-1, 2).sum(-1)),
    ("pairs_sum", lambda: r(9, 14)[:, :12].contiguous(), lambda x: x.reshape(-1, 2).sum(-1)),
]


@pytest.mark.parametrize(("name", "make", "truth"), VIEWED, ids=[c[0] for c in VIEWED])
def test_a_view_torch_gives_computes_as_float64_torch(name, make, truth):
    x = make()
    result = generated(SOURCE, name, x)(x)
    assert_matches(result, truth(x.double()), torch.float32)


def test_a_bits_view_computes_as_torch():
    x = r(5, 8)
    result = generated(SOURCE, "rows_of_bits", x)(x)
    assert torch.equal(result, x.view(torch.int32) + 1)
