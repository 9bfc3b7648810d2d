"""Evaluator-style probes of atomics (hl.atomic_add / max / min with duplicate indices, int and
float, a histogram, the old values they return, a strided target, a column scatter) and of
kernels called again with other shapes, strides, dtypes and constexpr values (the decorator's
cache must not reuse a wrong specialisation): all matched float64 torch, compiled and in
reference mode. A float value into an int target is converted to the target's dtype first, as
Helion's hl.atomic_add does (torch's index_add_ refuses the pair)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, device_args, generated, on_device, reference

import transpiler

SOURCE = """
import helion
import helion.language as hl
import torch


@helion.kernel()
def scatter_add_float(x: torch.Tensor, idx: torch.Tensor, n: int) -> torch.Tensor:
    out = torch.zeros([n], dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [idx[tile]], x[tile])
    return out


@helion.kernel(config=helion.Config(block_sizes=[16]))
def scatter_max_int(x: torch.Tensor, idx: torch.Tensor, n: int) -> torch.Tensor:
    out = torch.full([n], -1000, dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_max(out, [idx[tile]], x[tile])
    return out


@helion.kernel()
def scatter_min_float(x: torch.Tensor, idx: torch.Tensor, n: int) -> torch.Tensor:
    out = torch.full([n], float("inf"), dtype=torch.float32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_min(out, [idx[tile]], x[tile])
    return out


@helion.kernel()
def histogram64(x: torch.Tensor, bins: int) -> torch.Tensor:
    counts = torch.zeros([bins], dtype=torch.int64, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(counts, [x[tile]], 1)
    return counts


@helion.kernel()
def column_scatter(x: torch.Tensor, idx: torch.Tensor, n: int) -> torch.Tensor:
    m, k = x.size()
    out = torch.zeros([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_k in hl.tile([m, k]):
        hl.atomic_add(out, [tile_m, idx[tile_k]], x[tile_m, tile_k])
    return out


@helion.kernel()
def total_sum(x: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([1], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile(x.size()):
        hl.atomic_add(out, [0], x[tile_m, tile_n].sum())
    return out


@helion.kernel()
def old_values(x: torch.Tensor, idx: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    acc = torch.zeros([4], dtype=torch.int32, device=x.device)
    old = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        old[tile] = hl.atomic_add(acc, [idx[tile]], x[tile])
    return old, acc


@helion.kernel()
def max_returns(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    best = torch.zeros([x.size(0)], dtype=x.dtype, device=x.device)
    prev = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        prev[tile] = hl.atomic_max(best, [tile], x[tile])
    return prev, best


@helion.kernel()
def row_sums_atomic(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.zeros([m], dtype=torch.float32, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        hl.atomic_add(out, [tile_m], x[tile_m, tile_n].sum(-1))
    return out


@helion.kernel()
def scalar_float_into_int(x: torch.Tensor, bins: int) -> torch.Tensor:
    counts = torch.zeros([bins], dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(counts, [x[tile]], 1.5)
    return counts


@helion.kernel()
def float_into_int(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    counts = torch.zeros([4], dtype=torch.int32, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(counts, [idx[tile]], x[tile])
    return counts


@helion.kernel()
def half_scatter(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.zeros([5], dtype=torch.float16, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [idx[tile]], x[tile])
    return out


@helion.kernel()
def min_of_float_and_int(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    out = torch.full([4], 100, dtype=torch.int64, device=x.device)
    for tile in hl.tile(x.size(0)):
        hl.atomic_min(out, [idx[tile]], x[tile] * 3)
    return out


@helion.kernel()
def strided_target(x: torch.Tensor, out: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    for tile in hl.tile(x.size(0)):
        hl.atomic_add(out, [idx[tile], 1], x[tile])
    return out

@helion.kernel()
def scale_shift(x: torch.Tensor, s: hl.constexpr) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = x[tile_m, tile_n] * s + tile_n.index[None, :]
    return out


@helion.kernel()
def specialised_mean(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    n = hl.specialize(n)
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :].sum(-1) / n
    return out


@helion.kernel()
def mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


@helion.kernel(static_shapes=False)
def softmax_rows(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty_like(x)
    for tile_m in hl.tile(m):
        out[tile_m, :] = torch.softmax(x[tile_m, :].float(), -1).to(out.dtype)
    return out


@helion.kernel()
def looped_max(x: torch.Tensor) -> torch.Tensor:
    m, n = x.size()
    out = torch.empty([m], dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(m):
        best = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        for tile_n in hl.tile(n):
            best = torch.maximum(best, x[tile_m, tile_n].float().amax(-1))
        out[tile_m] = best.to(out.dtype)
    return out


@helion.kernel()
def add_number(x: torch.Tensor, k: int) -> torch.Tensor:
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = x[tile] + k
    return out

"""


def r(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64).float()


def D(t: torch.Tensor) -> torch.Tensor:  # noqa: N802 - the float64 truth
    return t.double()


def bins(n: int, high: int) -> torch.Tensor:
    return torch.randint(0, high, (n,))


def _index_add(x, i, n):
    return torch.zeros(n, dtype=torch.float64).index_add_(0, i, D(x))


def _scatter(x, i, n, fill, how, dtype=torch.float64):
    return torch.full((n,), fill, dtype=dtype).scatter_reduce(0, i, x.to(dtype), how)


INT32 = torch.int32
CASES = [
    ("scatter_add_float", lambda: (r(37), bins(37, 3), 3), _index_add),
    ("scatter_add_float", lambda: (r(74)[::2], bins(37, 5).int(), 5), _index_add),
    (
        "scatter_max_int",
        lambda: (torch.randint(-900, 900, (37,), dtype=INT32), bins(37, 4), 4),
        lambda x, i, n: _scatter(x, i, n, -1000, "amax", INT32),
    ),
    (
        "scatter_min_float",
        lambda: (r(37), bins(37, 5), 5),
        lambda x, i, n: _scatter(x, i, n, float("inf"), "amin"),
    ),
    ("histogram64", lambda: (bins(1037, 7), 7), lambda x, b: torch.bincount(x, minlength=b)),
    (
        "column_scatter",
        lambda: (r(29, 13).t(), bins(29, 4), 4),
        lambda x, i, n: torch.zeros(13, n, dtype=torch.float64).index_add_(1, i, D(x)),
    ),
    ("total_sum", lambda: (r(13, 29),), lambda x: D(x).sum().reshape(1)),
    ("row_sums_atomic", lambda: (r(13, 290),), lambda x: D(x).sum(1)),
    (
        "half_scatter",
        lambda: (r(37).half(), bins(37, 5)),
        lambda x, i: torch.zeros(5, dtype=torch.float64).index_add_(0, i, D(x)),
    ),
    (
        "strided_target",
        lambda: (r(37), torch.zeros(5, 3).t(), bins(37, 3)),
        lambda x, o, i: torch.zeros(3, 5, dtype=torch.float64).index_put_(
            (i, torch.ones_like(i)), D(x), accumulate=True
        ),
    ),
    # a float value into an int target: each lane's value converted first (Helion's rule)
    (
        "scalar_float_into_int",
        lambda: (bins(37, 4), 4),
        lambda x, n: torch.bincount(x, minlength=n).int(),
    ),
    (
        "float_into_int",
        lambda: (r(37) * 5, bins(37, 4)),
        lambda x, i: torch.zeros(4, dtype=INT32).index_add_(0, i, x.int()),
    ),
    (
        "min_of_float_and_int",
        lambda: (r(37), bins(37, 4)),
        lambda x, i: _scatter((x * 3).long(), i, 4, 100, "amin", torch.int64),
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_atomics_with_duplicate_indices_compute_as_torch(name, make, truth):
    args = make()
    expected = truth(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
    for run in (generated(SOURCE, name, *args), reference(SOURCE, name)):
        result = run(*[a.clone() if isinstance(a, torch.Tensor) else a for a in args])
        if expected.dtype.is_floating_point:
            assert_matches(result, expected, args[0].dtype)
        else:
            assert result.dtype == expected.dtype and torch.equal(result, expected)


def test_the_old_values_atomics_return():
    """Every lane adding 1 at one element sees a distinct old value: 0 .. n - 1."""
    ones, zeros = torch.ones(37, dtype=torch.int32), torch.zeros(37, dtype=torch.int64)
    for run in (generated(SOURCE, "old_values", ones, zeros), reference(SOURCE, "old_values")):
        old, acc = run(ones.clone(), zeros.clone())
        assert torch.equal(old.sort().values, torch.arange(37, dtype=torch.int32))
        assert acc.tolist() == [37, 0, 0, 0]
    x = r(37)
    for run in (generated(SOURCE, "max_returns", x), reference(SOURCE, "max_returns")):
        prev, best = run(x.clone())
        assert torch.equal(prev, torch.zeros(37)) and torch.equal(best, x.clamp(min=0))


@pytest.mark.parametrize("name", ["scatter_max_int", "histogram64", "column_scatter"])
def test_atomics_compile_for_sm_90(name):
    make = next(c[1] for c in CASES if c[0] == name)
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    (result,) = kernel.bind(device_args(make())).compile_for("sm_90")
    assert "tt.atomic_rmw" in result.asm["ttir"]


def _kernel(name: str):
    return on_device(transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name])


def test_calls_with_other_shapes_strides_dtypes_and_constexprs_are_not_mixed_up():
    scale_shift, mean, mm = _kernel("scale_shift"), _kernel("specialised_mean"), _kernel("mm")
    x = r(13, 29)
    for s, y in ((2.0, x), (3.0, x), (3.0, x.t()), (3, x)):
        expected = D(y) * s + torch.arange(y.size(1))
        assert_matches(scale_shift(y, s), expected)
    for n in (16, 17, 16, 33):
        y = r(5, n)
        assert_matches(mean(y), D(y).mean(-1))
    y = r(40, 17)[:, ::2]
    assert_matches(mean(y), D(y).mean(-1))
    a, b = r(17, 33), r(33, 65)
    tolerance = {"dots": True}
    assert_matches(mm(a, b), D(a) @ D(b), **tolerance)
    assert_matches(mm(b.t(), a.t()), D(b).t() @ D(a).t(), **tolerance)
    assert_matches(mm(a.half(), b.half()), D(a.half()) @ D(b.half()), **tolerance)
    assert_matches(mm(a, b), D(a) @ D(b), **tolerance)
    wide = a[:1].expand(17, 33)
    assert_matches(mm(wide, b), D(wide) @ D(b), **tolerance)


def test_rows_of_other_widths_and_dtypes_after_one_another():
    softmax, looped_max, add = (_kernel(n) for n in ("softmax_rows", "looped_max", "add_number"))
    for n in (16, 17, 1000):
        z = r(3, n)
        assert_matches(softmax(z), torch.softmax(D(z), -1))
        assert_matches(softmax(z.half()), torch.softmax(D(z.half()), -1))
        assert_matches(looped_max(z), D(z).amax(-1))
        assert_matches(looped_max(z.t().contiguous().t()), D(z).amax(-1))
    ints, floats = torch.randint(-5, 5, (37,), dtype=torch.int32), r(37)
    assert torch.equal(add(ints, 3), ints + 3)
    assert_matches(add(floats, 3), D(floats) + 3)
    assert_matches(add(floats, 2.5), D(floats) + 2.5)
    assert torch.equal(add(ints, 7), ints + 7)
