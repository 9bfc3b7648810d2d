"""User-style probes of arguments that share memory: a tensor the kernel writes that shares part
of its memory with another argument (`shift(buf[:-1], buf[1:])`) was silently wrong (a tile read
what an earlier tile had written); it is refused at the launch, as torch refuses such in-place
work. The same view twice (an in-place kernel) and views that share no element still run."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, assert_matches, generated

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel(config=helion.Config(block_sizes=[16]))
def shift(x: torch.Tensor, y: torch.Tensor) -> None:
    for tile in hl.tile(x.size(0)):
        y[tile] = x[tile] + 1


@helion.kernel(config=helion.Config(block_sizes=[8, 8]))
def axpy_into(y: torch.Tensor, x: torch.Tensor, alpha: float) -> torch.Tensor:
    for tile in hl.tile(y.size()):
        y[tile] += alpha * x[tile]
    return y


@helion.kernel(config=helion.Config(block_sizes=[16]))
def swap(a: torch.Tensor, b: torch.Tensor) -> None:
    for tile in hl.tile(a.size(0)):
        old_a = a[tile]
        a[tile] = b[tile]
        b[tile] = old_a
"""


def _buffer(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, device=DEVICE) + 0.25


# (kernel, the arguments as views of one buffer) that share elements in part
SHARED = [
    ("shift", lambda: (lambda b: (b[:-1], b[1:]))(_buffer(301))),
    ("shift", lambda: (lambda b: (b[1:], b[:-1]))(_buffer(301))),
    ("shift", lambda: (lambda b: (b[:100], b[50:250:2]))(_buffer(301))),
    ("axpy_into", lambda: (lambda m: (m, m.t(), 0.5))(_buffer(21, 21))),
    ("axpy_into", lambda: (lambda m: (m[:, :20], m[:, 1:21], 0.5))(_buffer(19, 41))),
    ("swap", lambda: (lambda b: (b[:60], b[7:67]))(_buffer(97))),
]


@pytest.mark.parametrize(("name", "make"), SHARED)
def test_a_written_tensor_sharing_part_of_another_is_refused(name, make):
    args = make()
    kernel = generated(SOURCE, name, *args, filename="shared.py")
    with pytest.raises(RuntimeError, match=r"shares memory with \w+: .*clone\(\)"):
        kernel(*args)


# (kernel, views of one buffer, what each view holds afterwards, from their values before)
APART = [
    ("shift", lambda b: (b[:150], b[150:300]), lambda x, y: (x, x + 1)),
    ("shift", lambda b: (b[::2], b[1::2]), lambda x, y: (x, x + 1)),  # interleaved: none shared
    ("shift", lambda b: (b, b), lambda x, y: (x + 1, x + 1)),  # the same view: in place
    ("swap", lambda b: (b[:150], b[150:]), lambda a, b: (b, a)),
    ("swap", lambda b: (b[0::3], b[1::3]), lambda a, b: (b, a)),
]


@pytest.mark.parametrize(("name", "views", "after"), APART)
def test_views_that_share_no_element_or_all_of_them_run(name, views, after):
    buffer = _buffer(300)
    args = views(buffer)
    expected = after(*(a.double().clone() for a in args))
    generated(SOURCE, name, *args, filename="shared.py")(*args)
    for arg, want in zip(args, expected, strict=True):
        assert_matches(arg, want)


@pytest.mark.parametrize(
    ("views", "alpha"),
    [(lambda m: (m[:, ::2], m[:, 1::2]), 0.5), (lambda m: (m, m), -2.0)],
    ids=["interleaved columns", "in place"],
)
def test_axpy_into_views_of_one_matrix(views, alpha):
    y, x = views(_buffer(19, 42))
    expected = (y.double() + alpha * x.double()).cpu()  # `out` comes back to the CPU
    out = generated(SOURCE, "axpy_into", y, x, alpha, filename="shared.py")(y, x, alpha)
    assert_matches(out, expected)


def test_the_decorator_refuses_too():
    kernels = transpiler.kernels_from_source(SOURCE, filename="shared.py")
    buffer = _buffer(101)
    before = buffer.clone()
    with pytest.raises(RuntimeError, match="y, which the kernel writes, shares memory with x"):
        kernels["shift"](buffer[:-1], buffer[1:])
    assert torch.equal(buffer, before)  # refused before the launch: nothing written
