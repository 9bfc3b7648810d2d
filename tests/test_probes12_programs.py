"""Evaluator-style probes of a kernel's program (round 12): tile attributes in arithmetic
(`tile.index`, `.begin`, `.end`, `.count`, `.id`, `.block_size`) under `hl.tile(begin, end,
block_size=...)` with odd sizes, `hl.register_block_size` shared by two loops, `hl.specialize`d
sizes, host code before and after the loop (a host tensor scalar, sizes, math, in-place
updates of the result), defaults and keyword-only arguments, stores that convert (float into
int, bool, uint8), and matrix products (torch.matmul, torch.mm, hl.dot, a transposed tile,
int8 into int32, epilogues with a row or a column, torch.baddbmm). Each against torch in
float64; each kernel also compiled for sm_90 (conftest). All computed as torch when written."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch

M, N, K = 37, 53, 19
T = "x: torch.Tensor"


def floats(*shape):
    return torch.randn(*shape, device=DEVICE) * 3


def ints(n, low, high, dtype):
    values = torch.randint(low, high, (n,), device=DEVICE)
    values[values == 0] = 5
    return values.to(dtype)


def loop(header: str, expression: str, out: str = "torch.zeros_like(x)", after: str = "out"):
    return (
        f"    n = x.size(0)\n    out = {out}\n    for tile in {header}:\n"
        f"        out[tile] = {expression}\n    return {after}\n"
    )


def tiles(n, block, begin, value):
    """torch's answer: value(x, index, tile begin, tile end, tile count) over [begin, n)."""

    def truth(x, *rest):
        out = torch.zeros_like(x)
        count = (n - begin + block - 1) // block
        for first in range(begin, n, block):
            last = min(first + block, n)
            index = torch.arange(first, last, dtype=torch.float64)
            out[first:last] = value(x[first:last], index, first, last, count)
        return out

    return truth


X = lambda: [floats(N)]  # noqa: E731
PROGRAMS = {
    "begin_end_index_minus_begin": (T, loop("hl.tile(3, n - 2, block_size=8)", "x[tile] + tile.index * 2 - tile.begin"), X, tiles(N - 2, 8, 3, lambda x, i, b, e, c: x + i * 2 - b)),
    "begin_end_id": (T, loop("hl.tile(5, n, block_size=8)", "x[tile] + tile.id * 100"), X, tiles(N, 8, 5, lambda x, i, b, e, c: x + b // 8 * 100)),
    "begin_end_count": (T, loop("hl.tile(5, n, block_size=8)", "x[tile] + tile.count"), X, tiles(N, 8, 5, lambda x, i, b, e, c: x + c)),
    "end_minus_begin_shifted": (T, loop("hl.tile(7, n, block_size=16)", "x[tile] + (tile.end - tile.begin) * 10 + tile.end"), X, tiles(N, 16, 7, lambda x, i, b, e, c: x + (e - b) * 10 + e)),
    "id_times_block_size": (T, loop("hl.tile(n, block_size=8)", "x[tile] + (tile.id * tile.block_size - tile.begin) + tile.id"), X, tiles(N, 8, 0, lambda x, i, b, e, c: x + b // 8)),
    "index_floordiv_negative": (T, loop("hl.tile(n, block_size=16)", "x[tile] + (tile.index - 20) // 3 + (tile.index - 20) % 3 * 100"), X, tiles(N, 16, 0, lambda x, i, b, e, c: x + (i - 20) // 3 + (i - 20) % 3 * 100)),
    "index_against_end": (T, loop("hl.tile(n, block_size=16)", "torch.where(tile.index < tile.end - 3, x[tile], -x[tile])"), X, tiles(N, 16, 0, lambda x, i, b, e, c: torch.where(i < e - 3, x, -x))),
    "index_stored_as_int": (T, loop("hl.tile(n, block_size=16)", "tile.index - tile.begin", "torch.zeros(x.shape, dtype=torch.int64, device=x.device)"), X, lambda x: torch.arange(N) % 16),
    "begin_from_an_argument": ("x: torch.Tensor, s: int", loop("hl.tile(s, n, block_size=8)", "x[tile] - tile.begin"), lambda: [floats(N), 11], lambda x, s: tiles(N, 8, 11, lambda x, i, b, e, c: x - b)(x)),
    "register_block_size_two_loops": (T, "    n = x.size(0)\n    block = hl.register_block_size(n)\n    out = torch.zeros_like(x)\n    for tile in hl.tile(n, block_size=block):\n        out[tile] = x[tile] * 2\n    for tile in hl.tile(n, block_size=block):\n        out[tile] = out[tile] + tile.index\n    return out\n", X, lambda x: x * 2 + torch.arange(N)),
    "specialized_range": (T, "    m, n = x.shape\n    n = hl.specialize(n)\n    out = torch.empty([m], dtype=x.dtype, device=x.device)\n    for tile in hl.tile(m):\n        acc = hl.zeros([tile], dtype=torch.float32)\n        for j in range(n):\n            acc = acc + x[tile, j] * (j + 1)\n        out[tile] = acc\n    return out\n", lambda: [floats(M, 7)], lambda x: (x * torch.arange(1, 8)).sum(-1)),
    "specialized_zeros_shape": (T, "    m, n = x.shape\n    n = hl.specialize(n)\n    out = torch.empty_like(x)\n    for tile in hl.tile(m):\n        out[tile, :] = hl.zeros([tile, n], dtype=torch.float32) + x[tile, :] * n\n    return out\n", lambda: [floats(M, 5)], lambda x: x * 5),
    "host_tuple_after": (T, loop("hl.tile(n)", "x[tile] * 2", "torch.empty_like(x)", "out, out.max(), out.argmax(), out[-3:]"), X, lambda x: (x * 2, (x * 2).max(), (x * 2).argmax(), (x * 2)[-3:])),
    "host_in_place_after": (T, "    n = x.size(0)\n    out = torch.empty_like(x)\n    for tile in hl.tile(n):\n        out[tile] = x[tile] * 2\n    out += 1\n    out[0] = -5.0\n    return out\n", X, lambda x: torch.cat([torch.tensor([-5.0], dtype=torch.float64), x[1:] * 2 + 1])),
    "host_tensor_scalar": (T, "    n = x.size(0)\n    top = x.abs().max()\n    mu = x.mean()\n    out = torch.empty_like(x)\n    for tile in hl.tile(n):\n        out[tile] = x[tile] / top - mu\n    return out\n", X, None),
    "host_size_arithmetic": (T, "    n = x.size(0)\n    half = n // 2\n    offset = -n\n    scale = math.sqrt(n)\n    out = torch.empty_like(x)\n    for tile in hl.tile(n):\n        out[tile] = torch.where(tile.index < half, x[tile], -x[tile]) / scale + offset // 7\n    return out\n", X, lambda x: torch.where(torch.arange(N) < N // 2, x, -x) / N**0.5 + (-N) // 7),
    "keyword_only_default": ("x: torch.Tensor, *, p: int = -3", loop("hl.tile(n)", "x[tile] * (p % 5)", "torch.empty_like(x)"), X, lambda x: x * (-3 % 5)),
    "float_default": ("x: torch.Tensor, eps: float = 1e-3", loop("hl.tile(n)", "x[tile] / (x[tile].abs() + eps)", "torch.empty_like(x)"), X, lambda x: x / (x.abs() + 1e-3)),
    "float_argument_into_int": ("x: torch.Tensor, s: float", loop("hl.tile(n)", "x[tile] * s", "torch.empty_like(x)"), lambda: [ints(N, -50, 50, torch.int32), -0.75], lambda x, s: (x * s).int()),
    "float_into_int32": (T, loop("hl.tile(n)", "x[tile] * 10", "torch.empty(x.shape, dtype=torch.int32, device=x.device)"), X, lambda x: (x.float() * 10).int()),
    "int64_into_int8": (T, loop("hl.tile(n)", "x[tile] * 7", "torch.empty(x.shape, dtype=torch.int8, device=x.device)"), lambda: [ints(N, -1000, 1000, torch.int64)], lambda x: (x * 7).to(torch.int8)),
    "float_into_bool": (T, loop("hl.tile(n)", "x[tile] * (x[tile] > 1)", "torch.empty(x.shape, dtype=torch.bool, device=x.device)"), X, lambda x: (x * (x > 1)).bool()),
    "float_into_uint8": (T, loop("hl.tile(n)", "x[tile].abs() * 10", "torch.empty(x.shape, dtype=torch.uint8, device=x.device)"), X, lambda x: (x.float().abs() * 10).to(torch.uint8)),
}  # fmt: skip
PROGRAMS["host_tensor_scalar"] = (
    *PROGRAMS["host_tensor_scalar"][:3],
    lambda x: x / x.abs().max() - x.mean(),
)


@pytest.mark.parametrize("name", PROGRAMS)
def test_tile_attributes_sizes_host_code_and_stores_compute_as_torch(name):
    signature, body, make, truth = PROGRAMS[name]
    assert_computes_as_torch(kernel(signature, body), make, truth)


PRODUCT = (
    "    m, k = a.shape\n    n = {n}\n"
    "    out = torch.empty([m, n], dtype={dtype}, device=a.device)\n"
    "    for tm, tn in hl.tile([m, n]):\n"
    "        acc = hl.zeros([tm, tn], dtype={acc})\n"
    "        for tk in hl.tile(k):\n"
    "            {step}\n"
    "        out[tm, tn] = {result}\n"
    "    return out\n"
)


def product(step, result="acc", n="b.size(1)", dtype="torch.float32", acc="torch.float32"):
    return PRODUCT.format(step=step, result=result, n=n, dtype=dtype, acc=acc)


AB = "a: torch.Tensor, b: torch.Tensor"
ABC = "a: torch.Tensor, b: torch.Tensor, c: torch.Tensor"
PRODUCTS = {
    "matmul_scaled": (AB, product("acc += torch.mm(a[tm, tk], b[tk, tn]) * 0.5"), lambda: [floats(M, K), floats(K, N)], lambda a, b: 0.5 * (a @ b)),
    "transposed_tile": (AB, product("acc += a[tm, tk] @ b[tn, tk].T", n="b.size(0)"), lambda: [floats(M, K), floats(N, K)], lambda a, b: a @ b.T),
    "int8_into_int32": (AB, product("acc = hl.dot(a[tm, tk], b[tk, tn], acc=acc)", dtype="torch.int32", acc="torch.int32"), lambda: [ints(M * 32, -128, 127, torch.int8).view(M, 32), ints(32 * N, -128, 127, torch.int8).view(32, N)], lambda a, b: a.int() @ b.int()),
    "relu_of_row_bias": (ABC, product("acc += a[tm, tk] @ b[tk, tn]", "torch.relu(acc + c[tn])"), lambda: [floats(M, K), floats(K, N), floats(N)], lambda a, b, c: torch.relu(a @ b + c)),
    "column_bias": (ABC, product("acc += a[tm, tk] @ b[tk, tn]", "acc + c[tm][:, None]"), lambda: [floats(M, K), floats(K, N), floats(M)], lambda a, b, c: a @ b + c[:, None]),
}  # fmt: skip


@pytest.mark.parametrize("name", PRODUCTS)
def test_matrix_products_and_epilogues_compute_as_torch(name):
    signature, body, make, truth = PRODUCTS[name]
    tf32 = {"rtol": 1e-2, "atol": 1e-1} if DEVICE == "cuda" else {"rtol": 1e-4, "atol": 1e-3}
    assert_computes_as_torch(kernel(signature, body), make, truth, bound=tf32)
