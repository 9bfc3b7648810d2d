"""User-style probes of device code's loops and products: `a @ b.T`, `a.t() @ b`,
`torch.baddbmm`, int8 `hl.dot(acc=)`, float16 `torch.mm` into float32, products in an
`hl.grid` program, a batch times one matrix; accumulators carried by lanes of a registered
block size (exp sums, maxima of negatives: lanes outside the tensor must not count), inner
loops bounded by the outer tile (triangular sums), `range` over a size and with a step, an
inner `hl.grid` of two dims, a two-pass online softmax; scans, sorts, softmax along a tile
dim, gelu, atomics with repeated indices, `torch.max` pairs and argmax ties; each against
float64 torch (products of float16 / int8 in their own precision)."""

from __future__ import annotations

import pytest
import torch
from helpers import assert_matches, generated

SOURCE = """
import helion
import helion.language as hl
import torch
import torch.nn.functional as F


@helion.kernel()
def times_transposed(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(0), b.size(0), dtype=a.dtype, device=a.device)
    m, k = a.size()
    for tile_m, tile_n in hl.tile([m, b.size(0)]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += a[tile_m, tile_k] @ b[tile_n, tile_k].T
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def transposed_times(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(1), b.size(1), dtype=a.dtype, device=a.device)
    k, m = a.size()
    for tile_m, tile_n in hl.tile([m, b.size(1)]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += a[tile_k, tile_m].t() @ b[tile_k, tile_n]
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def batched_addmm(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(0), a.size(1), b.size(2), dtype=a.dtype, device=a.device)
    bsz, m, k = a.size()
    for tile_b, tile_m, tile_n in hl.tile([bsz, m, b.size(2)]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.baddbmm(acc, a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc
    return out


@helion.kernel()
def int8_product(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(0), b.size(1), dtype=torch.int32, device=a.device)
    m, k = a.size()
    for tile_m, tile_n in hl.tile([m, b.size(1)]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.int32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def half_mm(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(0), b.size(1), dtype=a.dtype, device=a.device)
    m, k = a.size()
    for tile_m, tile_n in hl.tile([m, b.size(1)]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += torch.mm(a[tile_m, tile_k], b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def grid_of_products(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(0), a.size(1), b.size(2), dtype=a.dtype, device=a.device)
    bsz, m, k = a.size()
    for i in hl.grid(bsz):
        for tile_m, tile_n in hl.tile([m, b.size(2)]):
            acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
            for tile_k in hl.tile(k):
                acc += a[i, tile_m, tile_k] @ b[i, tile_k, tile_n]
            out[i, tile_m, tile_n] = acc
    return out


@helion.kernel()
def batch_times_one(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(0), a.size(1), b.size(1), dtype=a.dtype, device=a.device)
    bsz, m, k = a.size()
    for tile_b, tile_m, tile_n in hl.tile([bsz, m, b.size(1)]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += torch.matmul(a[tile_b, tile_m, tile_k], b[tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc
    return out


@helion.kernel()
def exp_sums_by_lanes(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    m, n = x.size()
    bn = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, bn], dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=bn):
            acc = acc + torch.exp(x[tile_m, tile_n])
        out[tile_m] = acc.sum(-1)
    return out


@helion.kernel()
def maxima_by_lanes(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    m, n = x.size()
    bn = hl.register_block_size(n)
    for tile_m in hl.tile(m):
        best = hl.full([tile_m, bn], float("-inf"), dtype=torch.float32)
        for tile_n in hl.tile(n, block_size=bn):
            best = torch.maximum(best, x[tile_m, tile_n])
        out[tile_m] = best.amax(-1)
    return out


@helion.kernel()
def lower_sums(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    m, n = x.size()
    for tile_m in hl.tile(m, block_size=8):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(0, tile_m.end):
            acc += torch.where(tile_n.index[None, :] <= tile_m.index[:, None], x[tile_m, tile_n], 0.0).sum(-1)
        out[tile_m] = acc
    return out


@helion.kernel()
def upper_sums(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    m, n = x.size()
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(tile_m.begin, n):
            acc += torch.where(tile_n.index[None, :] >= tile_m.index[:, None], x[tile_m, tile_n], 0.0).sum(-1)
        out[tile_m] = acc
    return out


@helion.kernel()
def weighted_columns(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    m, n = x.size()
    for tile in hl.tile(m):
        acc = hl.zeros([tile], dtype=torch.float32)
        for j in range(n):
            acc += x[tile, j] * (j + 1)
        out[tile] = acc
    return out


@helion.kernel()
def odd_columns(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    m, n = x.size()
    for tile in hl.tile(m):
        acc = hl.zeros([tile], dtype=torch.float32)
        for j in range(1, n, 2):
            acc += x[tile, j]
        out[tile] = acc
    return out


@helion.kernel()
def first_columns_product(a: torch.Tensor, b: torch.Tensor):
    out = torch.empty(a.size(0), dtype=a.dtype, device=a.device)
    for tile_m in hl.tile(a.size(0)):
        out[tile_m] = (a[tile_m, :] @ b[:, 0:2]).sum(-1) + (a[tile_m, :] @ b[:, 1:4]).amax(-1)
    return out


@helion.kernel()
def backwards(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    m, n = x.size()
    for tile in hl.tile(m):
        acc = hl.zeros([tile], dtype=torch.float32)
        for j in range(n - 1, -1, -1):
            acc = acc * 0.5 + x[tile, j]
        for j in hl.static_range(3, 0, -2):
            acc = acc + x[tile, j] * j
        for j in range(n, 0):
            acc = acc + 100
        out[tile] = acc
    return out


@helion.kernel()
def weighted_total(x: torch.Tensor):
    out = torch.empty(1, dtype=x.dtype, device=x.device)
    m, n = x.size()
    for tile in hl.tile(1):
        acc = hl.zeros([1], dtype=torch.float32)
        for i, j in hl.grid([m, n]):
            acc = acc + x[i, j] * (i + 1)
        out[tile] = acc
    return out


@helion.kernel()
def two_pass_softmax(x: torch.Tensor):
    out = torch.empty_like(x)
    m, n = x.size()
    for tile_m in hl.tile(m):
        mx = hl.full([tile_m], float("-inf"), dtype=torch.float32)
        s = hl.zeros([tile_m], dtype=torch.float32)
        for tile_n in hl.tile(n):
            v = x[tile_m, tile_n]
            new = torch.maximum(mx, v.amax(-1))
            s = s * torch.exp(mx - new) + torch.exp(v - new[:, None]).sum(-1)
            mx = new
        for tile_n in hl.tile(n):
            out[tile_m, tile_n] = torch.exp(x[tile_m, tile_n] - mx[:, None]) / s[:, None]
    return out


@helion.kernel()
def column_cumsum(x: torch.Tensor):
    out = torch.empty_like(x)
    for tile_n in hl.tile(x.size(1)):
        out[:, tile_n] = torch.cumsum(x[:, tile_n], dim=0)
    return out


@helion.kernel()
def row_cumprod(x: torch.Tensor):
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        v = x[tile_m, :]
        out[tile_m, :] = torch.cumprod(v, dim=1)
    return out


@helion.kernel()
def sorted_rows(x: torch.Tensor):
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        v = x[tile_m, :]
        out[tile_m, :] = torch.sort(v, dim=-1, descending=True)[0]
    return out


@helion.kernel()
def column_softmax(x: torch.Tensor):
    out = torch.empty_like(x)
    for tile_n in hl.tile(x.size(1)):
        out[:, tile_n] = torch.softmax(x[:, tile_n], dim=0)
    return out


@helion.kernel()
def gelu_tanh(x: torch.Tensor):
    out = torch.empty_like(x)
    for tile in hl.tile(x.size(0)):
        out[tile] = F.gelu(x[tile], approximate="tanh")
    return out


@helion.kernel()
def row_log_softmax(x: torch.Tensor):
    out = torch.empty_like(x)
    for tile_m in hl.tile(x.size(0)):
        v = x[tile_m, :]
        out[tile_m, :] = torch.log_softmax(v, dim=-1)
    return out


@helion.kernel()
def histogram(x: torch.Tensor, idx: torch.Tensor):
    out = torch.zeros(5, dtype=x.dtype, device=x.device)
    for tile in hl.tile(idx.size(0)):
        hl.atomic_add(out, [idx[tile]], x[tile])
    return out


@helion.kernel()
def max_plus_index(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=x.dtype, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        values, idx = torch.max(x[tile_m, :], dim=-1)
        out[tile_m] = values + idx
    return out


@helion.kernel()
def first_argmax(x: torch.Tensor):
    out = torch.empty(x.size(0), dtype=torch.int64, device=x.device)
    for tile_m in hl.tile(x.size(0)):
        out[tile_m] = torch.argmax(x[tile_m, :], dim=-1)
    return out

"""

# (kernel, inputs, torch's answer, dtype the tolerance is of): odd sizes, K no multiple of a block
CASES = [
    ("times_transposed", lambda: (torch.randn(37, 45), torch.randn(29, 45)), lambda a, b: a @ b.T),
    ("transposed_times", lambda: (torch.randn(45, 37), torch.randn(45, 29)), lambda a, b: a.T @ b),
    ("batched_addmm", lambda: (torch.randn(3, 37, 45), torch.randn(3, 45, 29)), torch.bmm),
    (
        "int8_product",
        lambda: (
            torch.randint(-100, 100, (37, 45), dtype=torch.int8),
            torch.randint(-100, 100, (45, 29), dtype=torch.int8),
        ),
        lambda a, b: (a.long() @ b.long()).int(),
    ),
    (
        "half_mm",
        lambda: (torch.randn(37, 45).half(), torch.randn(45, 29).half()),
        lambda a, b: a.double() @ b.double(),
    ),
    ("grid_of_products", lambda: (torch.randn(3, 37, 45), torch.randn(3, 45, 29)), torch.matmul),
    ("batch_times_one", lambda: (torch.randn(3, 37, 45), torch.randn(45, 29)), torch.matmul),
    ("exp_sums_by_lanes", lambda: (torch.randn(13, 45),), lambda x: x.exp().sum(-1)),
    ("maxima_by_lanes", lambda: (-torch.rand(13, 45) - 1,), lambda x: x.amax(-1)),
    ("lower_sums", lambda: (torch.randn(37, 37),), lambda x: x.tril().sum(-1)),
    ("upper_sums", lambda: (torch.randn(37, 37),), lambda x: x.triu().sum(-1)),
    (
        "weighted_columns",
        lambda: (torch.randn(13, 7),),
        lambda x: (x * torch.arange(1, 8).double()).sum(-1),
    ),
    ("odd_columns", lambda: (torch.randn(13, 9),), lambda x: x[:, 1::2].sum(-1)),
    (
        "first_columns_product",
        lambda: (torch.randn(37, 24), torch.randn(24, 5)),
        lambda a, b: (a @ b[:, :2]).sum(-1) + (a @ b[:, 1:4]).amax(-1),
    ),
    (
        "backwards",
        lambda: (torch.randn(13, 7),),
        lambda x: sum(x[:, j] * 0.5**j for j in range(7)) + x[:, 3] * 3 + x[:, 1],
    ),
    (
        "weighted_total",
        lambda: (torch.randn(3, 4),),
        lambda x: (x * torch.arange(1, 4).double()[:, None]).sum().reshape(1),
    ),
    ("two_pass_softmax", lambda: (torch.randn(13, 45),), lambda x: torch.softmax(x, -1)),
    ("column_cumsum", lambda: (torch.randn(13, 37),), lambda x: x.cumsum(0)),
    ("row_cumprod", lambda: (torch.rand(13, 37) + 0.5,), lambda x: x.cumprod(1)),
    ("sorted_rows", lambda: (torch.randn(13, 37),), lambda x: x.sort(-1, descending=True)[0]),
    ("column_softmax", lambda: (torch.randn(13, 37),), lambda x: torch.softmax(x, 0)),
    (
        "gelu_tanh",
        lambda: (torch.randn(77) * 3,),
        lambda x: torch.nn.functional.gelu(x, approximate="tanh"),
    ),
    ("row_log_softmax", lambda: (torch.randn(13, 37),), lambda x: torch.log_softmax(x, -1)),
    (
        "histogram",
        lambda: (torch.randn(77), torch.randint(0, 5, (77,))),
        lambda x, idx: torch.zeros(5, dtype=x.dtype).index_add_(0, idx, x),
    ),
    ("max_plus_index", lambda: (torch.randn(13, 37),), lambda x: x.max(-1)[0] + x.max(-1)[1]),
    (
        "first_argmax",
        lambda: (torch.randint(0, 3, (13, 37)).float(),),
        lambda x: x.argmax(-1),
    ),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_loops_and_products_compute_as_torch(name, make, truth):
    args = make()
    floats = [a.double() if a.is_floating_point() else a for a in args]
    expected = truth(*floats)
    result = generated(SOURCE, name, *args)(*[a.clone() for a in args])
    if not expected.is_floating_point():
        assert torch.equal(result, expected.to(result.dtype)), (result, expected)
        return
    products = name.endswith(
        ("_mm", "_addmm", "_products", "_one", "_times", "_transposed", "_product")
    )
    assert_matches(result, expected, dtype=args[0].dtype, dots=products)
