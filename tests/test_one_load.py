"""One load for one value: a tensor read again at the same index in the same block, nothing
stored since, is loaded once (lower/reused_loads.py); everywhere else it is loaded again.

Each kernel's loads are counted in its generated text, and each runs on fresh odd-sized
inputs against torch eager in float64 (and is compiled for sm_90 by tests/conftest.py)."""

from __future__ import annotations

import pytest
import torch
from helpers import generated, kernel_text, one_line
from helpers import signed_rand as rand

SOURCE = """
import torch
import helion
import helion.language as hl


@helion.kernel
def leaky_relu(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = torch.where(x[tile] > 0, x[tile], 0.1 * x[tile])
    return out


@helion.kernel
def leaky_relu_2d(x: torch.Tensor, slope: float) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = torch.where(x[tile_m, tile_n] < 0, x[tile_m, tile_n] * slope, x[tile_m, tile_n])
    return out


@helion.kernel
def three_statements(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        a = x[tile_m, tile_n]
        b = x[tile_m, tile_n] * 2
        out[tile_m, tile_n] = a + b * x[tile_m, tile_n]
    return out


@helion.kernel
def two_tensors(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        low = torch.minimum(x[tile], y[tile])
        out[tile] = low * x[tile] + y[tile]
    return out


@helion.kernel
def transposed_reads(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile(x.size()):
        out[tile_m, tile_n] = x[tile_m, tile_n] + x[tile_n, tile_m].T
    return out


@helion.kernel
def hl_loads(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = hl.load(x, [tile])
        out[tile] = a * hl.load(x, [tile]) + hl.load(x, [tile])
    return out


@helion.kernel
def hl_loads_masked(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = hl.load(x, [tile])
        positive = hl.load(x, [tile], extra_mask=a > 0)
        out[tile] = a + positive + hl.load(x, [tile], extra_mask=a > 0)
    return out


@helion.kernel
def store_then_read(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        x[tile] = x[tile] * 2
        out[tile] = x[tile] + 1
    return out


@helion.kernel
def store_elsewhere_then_read(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = x[tile]
        y[tile] = a * 3
        out[tile] = x[tile] - a
    return out


@helion.kernel
def atomic_then_read(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = y[tile]
        hl.atomic_add(y, [tile], x[tile])
        out[tile] = y[tile] - a
    return out


@helion.kernel
def hl_store_then_load(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = hl.load(x, [tile])
        hl.store(x, [tile], a + 1)
        out[tile] = hl.load(x, [tile]) * a
    return out


@helion.kernel
def update_in_place(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        x[tile] += x[tile] * 2
        out[tile] = x[tile] - 1
    return out


@helion.kernel
def name_rebound(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        a = x[tile]
        a = a * 2
        out[tile] = x[tile] + a
    return out


@helion.kernel
def around_inner_loop(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        first = y[tile_m]
        for tile_k in hl.tile(k):
            acc = acc + (x[tile_m, tile_k] * y[tile_m][:, None]).sum(-1)
            acc = acc + x[tile_m, tile_k].sum(-1) * y[tile_m]
        out[tile_m] = acc + y[tile_m] * first
    return out


@helion.kernel
def within_inner_loop(s: torch.Tensor) -> torch.Tensor:
    m, k = s.size()
    out = torch.empty([m], dtype=s.dtype, device=s.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_k in hl.tile(k):
            slope = s[tile_m, tile_k] * (1.0 - s[tile_m, tile_k])
            acc = acc + (slope * s[tile_m, tile_k]).sum(-1)
        out[tile_m] = acc
    return out


@helion.kernel
def accumulate_in_place(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    for tile_m in hl.tile(m):
        for tile_k in hl.tile(k):
            out[tile_m] = out[tile_m] + x[tile_m, tile_k].sum(-1)
            out[tile_m] = out[tile_m] - x[tile_m, tile_k].sum(-1) * 0.5
        out[tile_m] += out[tile_m]
    return out


@helion.kernel
def inside_a_branch(x: torch.Tensor, threshold: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        v = x[tile]
        if threshold > 10:
            v = v + x[tile] * x[tile]
        out[tile] = v - x[tile]
    return out
"""


def leaky(x, slope=0.1):
    return torch.where(x > 0, x, slope * x)


def store_then_read_reference(x):
    x *= 2
    return x + 1


def atomic_reference(x, y):
    before = y.clone()
    y += x
    return y - before


def hl_store_reference(x):
    a = x.clone()
    x += 1
    return x * a


# (kernel, arguments, float64 reference, tl.load calls its kernel makes)
CASES = [
    ("leaky_relu", lambda: (rand(1003),), leaky, 1),
    ("leaky_relu_2d", lambda: (rand(37, 61), 0.3), lambda x, s: leaky(x, s), 1),
    ("three_statements", lambda: (rand(19, 45),), lambda x: x + 2 * x * x, 1),
    ("two_tensors", lambda: (rand(517), rand(517)), lambda x, y: torch.minimum(x, y) * x + y, 2),
    ("transposed_reads", lambda: (rand(33, 33),), lambda x: x + x.T, 2),  # two indices: two loads
    ("hl_loads", lambda: (rand(301),), lambda x: x * x + x, 1),
    # the masked loads are one value (same mask), the unmasked another
    ("hl_loads_masked", lambda: (rand(301),), lambda x: x + 2 * torch.where(x > 0, x, 0), 2),
    ("store_then_read", lambda: (rand(257),), store_then_read_reference, 2),
    # a store to another tensor: it might alias x, so x is loaded again
    ("store_elsewhere_then_read", lambda: (rand(99), rand(99)), lambda x, y: x - x, 2),
    ("atomic_then_read", lambda: (rand(131), rand(131)), atomic_reference, 3),
    ("hl_store_then_load", lambda: (rand(77),), hl_store_reference, 2),
    # the update's own read reuses its value's load; the read after the store loads again
    ("update_in_place", lambda: (rand(333),), lambda x: 3 * x - 1, 2),
    ("name_rebound", lambda: (rand(211),), lambda x: 3 * x, 2),
    # y before the inner loop, x and y in it (each once a step, over two statements), y
    # after it: four loads
    (
        "around_inner_loop",
        lambda: (rand(13, 71), rand(13)),
        lambda x, y: 2 * x.sum(-1) * y + y * y,
        4,
    ),
    # three reads in one step of an inner loop, over two statements: one load
    ("within_inner_loop", lambda: (rand(11, 97),), lambda s: (s * (1 - s) * s).sum(-1), 1),
    ("inside_a_branch", lambda: (rand(143), 11), lambda x, t: x + x * x - x, 3),
    ("inside_a_branch", lambda: (rand(143), 3), lambda x, t: x - x, 3),
]


@pytest.mark.parametrize(("name", "make", "reference", "loads"), CASES, ids=[c[0] for c in CASES])
def test_loads_counted_and_results_match_eager(name, make, reference, loads):
    args = make()
    expected_args = [a.double().clone() if isinstance(a, torch.Tensor) else a for a in args]
    expected = reference(*expected_args)
    actual = generated(SOURCE, name, *args)(
        *[a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    )
    torch.testing.assert_close(actual.double(), expected, atol=1e-5, rtol=1e-5)
    assert one_line(kernel_text(SOURCE, name, *args)).count("tl.load(") == loads


def test_accumulating_in_place_loads_after_each_store():
    x, out = rand(21, 83), rand(21)
    args = (x, out)
    text = one_line(kernel_text(SOURCE, "accumulate_in_place", *args))
    # in the loop, out and x read before each store (a store to out might change x: the
    # second reads load again); after it, `out += out` loads out once: its value's load
    # serves the augmented update too
    assert text.count("tl.load(") == 5
    expected = 2 * (out.double() + 0.5 * x.double().sum(-1))
    actual = generated(SOURCE, "accumulate_in_place", *args)(x, out.clone())
    torch.testing.assert_close(actual.double(), expected, atol=1e-5, rtol=1e-5)


def test_a_store_to_an_aliasing_tensor_is_seen():
    """The same tensor passed as x and y: the store through y changes what x[tile] reads."""
    x = rand(99)
    expected = x.double() * 3 - x.double()
    actual = generated(SOURCE, "store_elsewhere_then_read", x, x)(x, x)
    torch.testing.assert_close(actual.double(), expected, atol=1e-5, rtol=1e-5)
