"""User-style probes of default arguments: `example_args=` that leave a defaulted parameter out
specialise on its default, as the call does (a `bias=None` kernel was refused with a hint to
pass example_args=, which the caller had done); the launcher refuses other values."""

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
def scale_and_shift(x: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        value = x[tile] * 2
        if bias is not None:
            value = value + bias[tile]
        out[tile] = value
    return out


@helion.kernel()
def row_reduce(x: torch.Tensor, *, reduction: str = "sum") -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        if reduction == "sum":
            out[tile_m] = x[tile_m, :].sum(-1)
        else:
            out[tile_m] = x[tile_m, :].amax(-1)
    return out


@helion.kernel()
def maybe_relu(x: torch.Tensor, y: torch.Tensor, relu: bool = True) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        value = x[tile] + y[tile]
        if relu:
            value = torch.relu(value)
        out[tile] = value
    return out
"""

# (kernel, example arguments that leave the default out, torch's answer, a call the launcher refuses)
CASES = [
    ("scale_and_shift", (torch.randn(77),), lambda x: x * 2, lambda x: (x, torch.ones(77))),
    ("row_reduce", (torch.randn(9, 37),), lambda x: x.sum(-1), None),
    (
        "maybe_relu",
        (torch.randn(5, 33), torch.randn(5, 33)),
        lambda x, y: torch.relu(x + y),
        lambda x, y: (x, y, False),
    ),
]


@pytest.mark.parametrize(("name", "args", "truth", "other"), CASES, ids=[c[0] for c in CASES])
def test_a_parameter_left_out_takes_its_default(name, args, truth, other):
    kernel = generated(SOURCE, name, *args, filename="probes.py")
    assert_matches(kernel(*args), truth(*(a.double() for a in args)))
    if other is not None:
        with pytest.raises(RuntimeError, match="transpile it again"):
            kernel(*other(*args))


CALLS = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def double(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] * 2
    return out


@helion.kernel()
def double_plus_one(x: torch.Tensor) -> torch.Tensor:
    doubled = double(x)
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = doubled[tile] + 1
    return out


@helion.kernel()
def twice_through(x: torch.Tensor) -> torch.Tensor:
    y = double_plus_one(double(x))
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = y[tile] - x[tile]
    return out


@helion.kernel()
def any_rank(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size()):
        out[tile] = x[tile] - 1
    return out


@helion.kernel()
def calls_any_rank(x: torch.Tensor) -> torch.Tensor:
    y = any_rank(x)
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = y[tile] * 3
    return out
"""


@pytest.mark.parametrize(
    ("name", "truth"),
    [("double_plus_one", lambda x: x * 2 + 1), ("twice_through", lambda x: x * 3 + 1)],
)
def test_a_kernel_calling_a_kernel_keeps_it_under_only(name, truth):
    """`only=(name,)` kept the kernel and left out the one it calls: NameError at the call."""
    x = torch.randn(45)
    assert_matches(generated(CALLS, name, x, filename="calls.py")(x), truth(x.double()))


def test_a_called_kernel_that_needs_example_ranks_is_refused_at_its_line():
    with pytest.raises(transpiler.TranspileError) as caught:
        generated(CALLS, "calls_any_rank", torch.randn(45), filename="calls.py")
    assert "calls.py:36:" in str(caught.value) and "rank" in str(caught.value)
