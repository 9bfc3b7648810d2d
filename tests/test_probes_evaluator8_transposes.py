"""Evaluator-style probes of blocks transposed in device code (round 8): `.mT` (before round 8
refused as an unknown attribute), `.T`, `.t()`, `.transpose(-1, -2)` of a factor of a product
(`torch.matmul`, `@`, `hl.dot`, `torch.baddbmm` over 3-D tiles) and of a block stored
transposed; `.mT` of a 1-D block and `.T` of a 3-D block refused, naming the spelling that
works; each against float64 torch."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, dot_tolerance
from torch_answers import assert_computes_as_torch, assert_refused_at

HEADER = """
import torch
import helion
import helion.language as hl
"""

PRODUCT_ON_CPU = {"rtol": 1e-4, "atol": 1e-4}  # float32 sums in another order
PRODUCT = PRODUCT_ON_CPU if DEVICE == "cpu" else dot_tolerance(torch.float32)  # a GPU's TF32


def f(*shape, dtype=torch.float32):
    return (torch.randn(*shape, device=DEVICE) * 0.5).to(dtype)


def kernel(signature, body):
    return HEADER + f"\n@helion.kernel()\ndef k({signature}) -> torch.Tensor:\n{body}"


# a[m, k] times b[n, k] read transposed: `FACTOR` is the product's spelling
NT_PRODUCT = """    m, kk = a.size()
    n, _ = b.size()
    out = torch.empty([m, n], dtype=a.dtype, device=a.device)
    for tm, tn in hl.tile([m, n]):
        acc = hl.zeros([tm, tn], dtype=torch.float32)
        for tk in hl.tile(kk):
            acc = acc + PRODUCT
        out[tm, tn] = acc.to(a.dtype)
    return out
"""

NT_SPELLINGS = {
    "matmul_mT": "torch.matmul(a[tm, tk], b[tn, tk].mT)",
    "operator_mT": "a[tm, tk] @ b[tn, tk].mT",
    "hl_dot_mT": "hl.dot(a[tm, tk], b[tn, tk].mT)",
    "matmul_T": "torch.matmul(a[tm, tk], b[tn, tk].T)",
    "matmul_transpose_negative": "torch.matmul(a[tm, tk], b[tn, tk].transpose(-1, -2))",
    "matmul_t": "torch.matmul(a[tm, tk], b[tn, tk].t())",
    "mT_of_a_name": "torch.matmul(a[tm, tk], b[tn, tk].clone().mT)",
}


@pytest.mark.parametrize("case", NT_SPELLINGS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_product_of_a_transposed_block_computes_as_torch(case, dtype):
    source = kernel(
        "a: torch.Tensor, b: torch.Tensor", NT_PRODUCT.replace("PRODUCT", NT_SPELLINGS[case])
    )
    bound = PRODUCT if dtype == torch.float32 else None
    assert_computes_as_torch(
        source,
        lambda: [f(37, 45, dtype=dtype), f(29, 45, dtype=dtype)],
        lambda a, b: a @ b.T,
        bound=bound,
    )


BATCHED = """    bs, m, kk = a.size()
    _, n, _ = b.size()
    out = torch.empty([bs, m, n], dtype=a.dtype, device=a.device)
    for tb, tm, tn in hl.tile([bs, m, n]):
        acc = hl.zeros([tb, tm, tn], dtype=torch.float32)
        for tk in hl.tile(kk):
            acc = torch.baddbmm(acc, a[tb, tm, tk], b[tb, tn, tk].SWAP)
        out[tb, tm, tn] = acc
    return out
"""


@pytest.mark.parametrize("swap", ["mT", "transpose(-1, -2)", "transpose(1, 2)"])
def test_batched_product_of_transposed_blocks_computes_as_torch(swap):
    source = kernel("a: torch.Tensor, b: torch.Tensor", BATCHED.replace("SWAP", swap))
    assert_computes_as_torch(
        source, lambda: [f(3, 37, 29), f(3, 45, 29)], lambda a, b: a @ b.mT, bound=PRODUCT
    )


STORED_TRANSPOSED = """    m, n = x.size()
    out = torch.empty([n, m], dtype=x.dtype, device=x.device)
    for tm, tn in hl.tile([m, n]):
        out[tn, tm] = VALUE
    return out
"""


@pytest.mark.parametrize(
    "value, truth",
    [
        ("x[tm, tn].mT + 1", lambda x: x.T + 1),
        ("(x[tm, tn] * 2).mT", lambda x: x.T * 2),
        ("x[tm, tn].T.mT.mT", lambda x: x.T),
    ],
    ids=["mT_plus_one", "mT_of_arithmetic", "three_swaps"],
)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int32])
def test_block_stored_transposed_computes_as_torch(value, truth, dtype):
    def make():
        x = torch.randint(-50, 50, (37, 29), device=DEVICE) if dtype == torch.int32 else f(37, 29)
        return [x.to(dtype)]

    source = kernel("x: torch.Tensor", STORED_TRANSPOSED.replace("VALUE", value))
    assert_computes_as_torch(source, make, truth)


def test_batch_of_blocks_stored_with_last_two_swapped_computes_as_torch():
    body = (
        "    bs, m, n = x.size()\n    out = torch.empty([bs, n, m], dtype=x.dtype, device=x.device)\n"
        "    for tb, tm, tn in hl.tile([bs, m, n]):\n        out[tb, tn, tm] = x[tb, tm, tn].mT - 3\n"
        "    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body), lambda: [f(3, 37, 29)], lambda x: x.mT - 3
    )


def line_of(source, text):
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


def test_mT_of_a_1d_block_is_refused():
    """torch refuses .mT of a 1-D tensor; so does the transpiler, at the attribute."""
    body = (
        "    out = torch.empty_like(x)\n    for tile in hl.tile(x.size(0)):\n"
        "        out[tile] = x[tile].mT * 2\n    return out\n"
    )
    source = kernel("x: torch.Tensor", body)
    assert_refused_at(
        source,
        line_of(source, ".mT"),
        "x[tile].mT",
        "ShapeError",
        ".mT of a 1-D block",
        "v[:, None]",
    )


def test_T_of_a_3d_block_names_mT():
    source = kernel("a: torch.Tensor, b: torch.Tensor", BATCHED.replace("SWAP", "T"))
    assert_refused_at(
        source, line_of(source, "baddbmm"), "b[tb, tn, tk].T", "more than two dimensions", ".mT"
    )


def test_mT_then_a_sum_over_its_first_dim_computes_as_torch():
    """Round 6 refused `.mT` of a block (test_probes_evaluator6_programs' mT_of_a_block)."""
    body = (
        "    n, c = w.size()\n    out = torch.empty([n], dtype=torch.float32, device=w.device)\n"
        "    for tile in hl.tile(n):\n        out[tile] = (w[tile, :].mT * 2).sum(0)\n"
        "    return out\n"
    )
    assert_computes_as_torch(
        kernel("w: torch.Tensor", body), lambda: [f(37, 29)], lambda w: (w.mT * 2).sum(0)
    )
