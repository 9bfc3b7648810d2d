"""Evaluator-style probes of matrix products in device code (hl.dot with and without acc= and
out_dtype=, `@`, torch.mm / matmul / bmm, F.linear, transposes and permutes of loaded tiles, a
K loop into an hl.zeros accumulator, epilogues, blocks larger than the tensor) on odd sizes
(M, N, K of 1, 3, 17, 33, 65) and non-contiguous inputs, against float64 torch: all matched but
one, `torch.matmul(x[tile_b, tile_m, :], w[:, tile_n])` (a batch of matrices times one matrix),
an InternalTranspilerError: the shape analysis (shape_stacks.product) did not follow the 3-D @
2-D product the lowering folds. addmm / baddbmm's beta= and alpha= and a product with a whole
vector are refused at their column with the fix."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from helpers import assert_matches, device_args, generated, reference

import transpiler
from transpiler.errors import ShapeError, UnsupportedConstructError

SOURCE = """
import helion
import helion.language as hl
import torch
import torch.nn.functional as F


@helion.kernel()
def mm_dot_acc(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 32, 16]))
def mm_dot_plus(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], out_dtype=torch.float32)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def mm_at_relu(a: torch.Tensor, b: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += a[tile_m, tile_k] @ b[tile_k, tile_n]
        acc = torch.relu(acc + bias[tile_n]) * 0.5
        out[tile_m, tile_n] = acc.to(out.dtype)
    return out


@helion.kernel()
def mm_torch_mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + torch.mm(a[tile_m, tile_k], b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def mm_matmul_whole_k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.matmul(a[tile_m, :], b[:, tile_n])
    return out


@helion.kernel()
def linear(x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    n = w.size(0)
    out = torch.empty([m, n], dtype=x.dtype, device=x.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = F.linear(x[tile_m, :], w[tile_n, :], bias[tile_n])
    return out


@helion.kernel()
def bt_dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    n = b.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_n, tile_k].T, acc=acc)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def bt_transpose(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    n = b.size(0)
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += a[tile_m, tile_k] @ b[tile_n, tile_k].transpose(0, 1)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def at_permute(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    k, m = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + torch.mm(a[tile_k, tile_m].permute(1, 0), b[tile_k, tile_n])
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def bmm_loop(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    bs, m, k = a.size()
    _, _, n = b.size()
    out = torch.empty([bs, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([bs, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + torch.bmm(a[tile_b, tile_m, tile_k], b[tile_b, tile_k, tile_n])
        out[tile_b, tile_m, tile_n] = acc
    return out


@helion.kernel()
def batched_matmul_2d_weight(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    bs, m, k = x.size()
    n = w.size(1)
    out = torch.empty([bs, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([bs, m, n]):
        out[tile_b, tile_m, tile_n] = torch.matmul(x[tile_b, tile_m, :], w[:, tile_n])
    return out


@helion.kernel(config=helion.Config(block_sizes=[64, 64, 64]))
def big_blocks(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k], b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = acc * 2.0 - 1.0
    return out


@helion.kernel()
def two_products(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    m, d = q.size()
    n = k.size(0)
    e = v.size(1)
    out = torch.empty([m, e], dtype=torch.float32, device=q.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, e], dtype=torch.float32)
        for tile_n in hl.tile(n):
            s = q[tile_m, :] @ k[tile_n, :].T
            acc = acc + torch.sigmoid(s) @ v[tile_n, :]
        out[tile_m, :] = acc
    return out


@helion.kernel()
def fp16_dot_out32(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = hl.dot(a[tile_m, :], b[:, tile_n], out_dtype=torch.float32)
    return out


@helion.kernel()
def fp16_matmul_half(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = a[tile_m, :] @ b[:, tile_n]
    return out


@helion.kernel()
def dot_scaled_by_scalar(a: torch.Tensor, b: torch.Tensor, scale: float) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(a[tile_m, tile_k] * scale, b[tile_k, tile_n], acc=acc)
        out[tile_m, tile_n] = torch.where(acc > 0, acc, acc * 0.1)
    return out


@helion.kernel()
def batched_times_weight_loop(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    bs, m, k = x.size()
    n = w.size(1)
    out = torch.empty([bs, m, n], dtype=torch.float32, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([bs, m, n]):
        acc = hl.zeros([tile_b, tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = acc + x[tile_b, tile_m, tile_k] @ w[tile_k, tile_n]
        out[tile_b, tile_m, tile_n] = torch.relu(acc)
    return out


@helion.kernel()
def batched_linear(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    bs, m, k = x.size()
    n = w.size(0)
    out = torch.empty([bs, m, n], dtype=x.dtype, device=x.device)
    for tile_b, tile_m, tile_n in hl.tile([bs, m, n]):
        out[tile_b, tile_m, tile_n] = torch.matmul(x[tile_b, tile_m, :], w[tile_n, :].T)
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))
def exp_both(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = hl.dot(torch.exp(a[tile_m, tile_k]), torch.exp(b[tile_k, tile_n]), acc=acc)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 16]))
def shifted_whole_k(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = (a[tile_m, :] + 1) @ (b[:, tile_n] + 1)
    return out


@helion.kernel()
def sigmoid_product(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    m, d = q.size()
    n = k.size(0)
    out = torch.empty([m, v.size(1)], dtype=torch.float32, device=q.device)
    for tile_m in hl.tile(m):
        acc = hl.zeros([tile_m, v.size(1)], dtype=torch.float32)
        for tile_n in hl.tile(n):
            p = torch.sigmoid(q[tile_m, :] @ k[tile_n, :].T)
            acc = acc + p @ (v[tile_n, :] + 2)
        out[tile_m, :] = acc
    return out


@helion.kernel(config=helion.Config(block_sizes=[16, 16, 16]))
def cos_dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc += torch.cos(a[tile_m, tile_k]) @ torch.cos(b[tile_k, tile_n]).to(torch.float32)
        out[tile_m, tile_n] = acc
    return out
"""

REFUSED = """
import helion
import helion.language as hl
import torch
import torch.nn.functional as F


@helion.kernel()
def addmm_scaled(bias: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.addmm(
            bias[tile_m, tile_n], a[tile_m, :], b[:, tile_n], beta=0.5, alpha=2.0
        )
    return out


@helion.kernel()
def addmm_row_bias(bias: torch.Tensor, a: torch.Tensor, b: torch.Tensor, alpha: float) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.addmm(bias[tile_n], a[tile_m, :], b[:, tile_n], alpha=alpha)
    return out


@helion.kernel()
def addmm_beta_zero(bias: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        out[tile_m, tile_n] = torch.addmm(bias[tile_m, tile_n], a[tile_m, :], b[:, tile_n], beta=0)
    return out


@helion.kernel()
def addmm_acc_alpha(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    m, k = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tile_m, tile_n in hl.tile([m, n]):
        acc = hl.zeros([tile_m, tile_n], dtype=torch.float32)
        for tile_k in hl.tile(k):
            acc = torch.addmm(acc, a[tile_m, tile_k], b[tile_k, tile_n], alpha=0.25, beta=1.5)
        out[tile_m, tile_n] = acc
    return out


@helion.kernel()
def baddbmm_scaled(c: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    bs, m, k = a.size()
    _, _, n = b.size()
    out = torch.empty([bs, m, n], dtype=torch.float32, device=a.device)
    for tile_b, tile_m, tile_n in hl.tile([bs, m, n]):
        out[tile_b, tile_m, tile_n] = torch.baddbmm(
            c[tile_b, tile_m, tile_n], a[tile_b, tile_m, :], b[tile_b, :, tile_n], beta=0.5, alpha=3.0
        )
    return out


@helion.kernel()
def row_vector_product(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    m, k = x.size()
    out = torch.empty([m], dtype=torch.float32, device=x.device)
    for tile_m in hl.tile(m):
        out[tile_m] = x[tile_m, :] @ w
    return out
"""


def r(*shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.randn(*shape, dtype=torch.float64).to(dtype)


def D(t: torch.Tensor) -> torch.Tensor:  # noqa: N802 - the float64 truth
    return t.double()


HALF = torch.float16
CASES = [
    ("mm_dot_acc", lambda: (r(17, 65), r(65, 33)), lambda a, b: D(a) @ D(b)),
    ("mm_dot_acc", lambda: (r(65, 17).t(), r(33, 65).t()), lambda a, b: D(a) @ D(b)),
    ("mm_dot_acc", lambda: (r(1, 3), r(3, 1)), lambda a, b: D(a) @ D(b)),
    ("mm_dot_acc", lambda: (r(3, 17, dtype=HALF), r(17, 33, dtype=HALF)), lambda a, b: D(a) @ D(b)),
    ("mm_dot_plus", lambda: (r(33, 130)[:, ::2], r(65, 3)), lambda a, b: D(a) @ D(b)),
    (
        "mm_dot_plus",
        lambda: (r(17, 65, dtype=HALF), r(65, 33, dtype=HALF)),
        lambda a, b: D(a) @ D(b),
    ),
    (
        "mm_at_relu",
        lambda: (r(17, 33), r(33, 65), r(65)),
        lambda a, b, c: torch.relu(D(a) @ D(b) + D(c)) * 0.5,
    ),
    (
        "mm_at_relu",
        lambda: (r(17, 33, dtype=HALF), r(33, 65, dtype=HALF), r(65, dtype=HALF)),
        lambda a, b, c: torch.relu(D(a) @ D(b) + D(c)) * 0.5,
    ),
    ("mm_torch_mm", lambda: (r(1, 65), r(65, 17)), lambda a, b: D(a) @ D(b)),
    ("mm_matmul_whole_k", lambda: (r(17, 33), r(33, 3)), lambda a, b: D(a) @ D(b)),
    ("mm_matmul_whole_k", lambda: (r(17, 1), r(1, 3)), lambda a, b: D(a) @ D(b)),
    ("linear", lambda: (r(17, 65), r(33, 65), r(33)), lambda x, w, b: F.linear(D(x), D(w), D(b))),
    (
        "linear",
        lambda: (r(65, 17).t(), r(33, 130)[:, ::2], r(1).expand(33)),
        lambda x, w, b: F.linear(D(x), D(w), D(b)),
    ),
    ("bt_dot", lambda: (r(17, 65), r(33, 65)), lambda a, b: D(a) @ D(b).T),
    ("bt_transpose", lambda: (r(17, 65), r(65, 33).t()), lambda a, b: D(a) @ D(b).T),
    ("at_permute", lambda: (r(65, 17), r(65, 33)), lambda a, b: D(a).T @ D(b)),
    ("bmm_loop", lambda: (r(3, 17, 65), r(3, 65, 33)), lambda a, b: D(a) @ D(b)),
    (
        "bmm_loop",
        lambda: (r(3, 65, 17).transpose(1, 2), r(33, 65, 3).permute(2, 1, 0)),
        lambda a, b: D(a) @ D(b),
    ),
    ("batched_matmul_2d_weight", lambda: (r(3, 5, 17), r(17, 7)), lambda x, w: D(x) @ D(w)),
    (
        "batched_matmul_2d_weight",
        lambda: (r(5, 3, 17).transpose(0, 1), r(34, 7)[::2]),
        lambda x, w: D(x) @ D(w),
    ),
    (
        "batched_times_weight_loop",
        lambda: (r(3, 5, 65), r(65, 7)),
        lambda x, w: torch.relu(D(x) @ D(w)),
    ),
    (
        "batched_times_weight_loop",
        lambda: (r(5, 3, 33).transpose(0, 1), r(7, 33).t()),
        lambda x, w: torch.relu(D(x) @ D(w)),
    ),
    ("batched_linear", lambda: (r(3, 5, 17), r(7, 17)), lambda x, w: D(x) @ D(w).T),
    (
        "batched_linear",
        lambda: (r(3, 5, 17, dtype=HALF), r(7, 17, dtype=HALF)),
        lambda x, w: D(x) @ D(w).T,
    ),
    ("big_blocks", lambda: (r(3, 17), r(17, 5)), lambda a, b: (D(a) @ D(b)) * 2 - 1),
    (
        "two_products",
        lambda: (r(17, 16), r(33, 16), r(33, 16)),
        lambda q, k, v: torch.sigmoid(D(q) @ D(k).T) @ D(v),
    ),
    (
        "fp16_dot_out32",
        lambda: (r(17, 33, dtype=HALF), r(33, 65, dtype=HALF)),
        lambda a, b: D(a) @ D(b),
    ),
    (
        "fp16_matmul_half",
        lambda: (r(17, 33, dtype=HALF), r(33, 65, dtype=HALF)),
        lambda a, b: D(a) @ D(b),
    ),
    (
        "dot_scaled_by_scalar",
        lambda: (r(17, 65), r(65, 33), 0.3),
        lambda a, b, s: (lambda z: torch.where(z > 0, z, z * 0.1))((D(a) * s) @ D(b)),
    ),
    # computed factors: lanes past K must add nothing (exp(0) * exp(0) would add 1)
    ("exp_both", lambda: (r(17, 17), r(17, 33)), lambda a, b: D(a).exp() @ D(b).exp()),
    ("shifted_whole_k", lambda: (r(17, 17), r(17, 33)), lambda a, b: (D(a) + 1) @ (D(b) + 1)),
    (
        "sigmoid_product",
        lambda: (r(17, 16), r(33, 16), r(33, 16)),
        lambda q, k, v: torch.sigmoid(D(q) @ D(k).T) @ (D(v) + 2),
    ),
    (
        "sigmoid_product",
        lambda: (r(17, 16), r(3, 16), r(3, 16)),
        lambda q, k, v: torch.sigmoid(D(q) @ D(k).T) @ (D(v) + 2),
    ),
    ("cos_dot", lambda: (r(5, 17), r(17, 3)), lambda a, b: D(a).cos() @ D(b).cos()),
]


@pytest.mark.parametrize(("name", "make", "truth"), CASES, ids=[c[0] for c in CASES])
def test_products_compute_as_float64_torch(name, make, truth):
    args = make()
    expected = truth(*args)
    fresh = [a.clone() if isinstance(a, torch.Tensor) else a for a in args]
    result = generated(SOURCE, name, *args)(*args)
    assert result.shape == expected.shape
    assert_matches(result, expected, dots=True)
    assert_matches(reference(SOURCE, name)(*fresh), expected, result.dtype, dots=True)


@pytest.mark.parametrize(
    "name", ["batched_matmul_2d_weight", "batched_times_weight_loop", "batched_linear"]
)
def test_a_batch_of_matrices_times_one_matrix_compiles_for_sm_90(name):
    kernel = transpiler.kernels_from_source(SOURCE, filename="kernels.py")[name]
    w = torch.randn(7, 17) if name == "batched_linear" else torch.randn(17, 7)
    (result,) = kernel.bind(device_args((torch.randn(3, 5, 17), w))).compile_for("sm_90")
    assert "tt.dot" in result.asm["ttir"]


REFUSALS = [
    ("addmm_scaled", UnsupportedConstructError, "beta=0.5", "addmm(beta=...)"),
    ("addmm_row_bias", UnsupportedConstructError, "alpha=alpha)", "addmm(alpha=...)"),
    ("addmm_beta_zero", UnsupportedConstructError, "beta=0)", "addmm(beta=...)"),
    ("addmm_acc_alpha", UnsupportedConstructError, "beta=1.5)", "addmm(beta=...)"),
    ("baddbmm_scaled", UnsupportedConstructError, "alpha=3.0", "baddbmm(beta=...)"),
    ("row_vector_product", ShapeError, "@ w", "the whole tensor 'w'"),
]


@pytest.mark.parametrize(("name", "error", "text", "words"), REFUSALS, ids=[c[0] for c in REFUSALS])
def test_what_products_do_not_take_is_refused_at_the_line(name, error, text, words):
    lines = REFUSED.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if text in t and "def " not in t)
    args = (torch.randn(3, 5), torch.randn(5, 7)) if name == "row_vector_product" else ()
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")) as raised:
        transpiler.transpile_module(
            REFUSED,
            filename="kernels.py",
            example_args={name: args} if args else None,
            only=(name,),
        )
    assert raised.value.lineno == line
    hint = "acc * beta + alpha" if "mm" in name else "load a tile of it"
    assert hint in str(raised.value)
