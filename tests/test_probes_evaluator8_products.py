"""Evaluator-style probes of products, gathers and aranges in device code (round 8):
`torch.addmm` / `torch.baddbmm` with beta= / alpha= refused (never ignored) and the scaled sum
the hint names computing as torch; a matrix block times a vector block (and vector × matrix,
vector · vector) refused with the sum of products spelled in the user's own operands (the hint
spoke of 2-D tiles only before round 8), those sums computing as torch; `logits[tile,
target[tile]]` (every row with every row's target, as torch indexes) refused at the store naming
`tile.index` (the hint spoke of element-wise tiles before), the one-per-row spellings computing
as torch; `hl.arange` of a length refused naming a tile; each against float64 torch."""

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


def line_of(source, text):
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


# -- addmm / baddbmm with beta= / alpha= ---------------------------------------------------

K_LOOP = """    m, kk = a.size()
    _, n = b.size()
    out = torch.empty([m, n], dtype=torch.float32, device=a.device)
    for tm, tn in hl.tile([m, n]):
        acc = hl.zeros([tm, tn], dtype=torch.float32)
        for tk in hl.tile(kk):
            acc = torch.addmm(acc, a[tm, tk], b[tk, tn]SCALES)
        out[tm, tn] = acc
    return out
"""

BATCHED = """    bs, m, kk = a.size()
    _, _, n = b.size()
    out = torch.empty([bs, m, n], dtype=torch.float32, device=a.device)
    for tb, tm, tn in hl.tile([bs, m, n]):
        acc = hl.zeros([tb, tm, tn], dtype=torch.float32)
        for tk in hl.tile(kk):
            acc = torch.baddbmm(acc, a[tb, tm, tk], b[tb, tk, tn]SCALES)
        out[tb, tm, tn] = acc
    return out
"""


@pytest.mark.parametrize(
    "template, scales, keyword",
    [
        (K_LOOP, ", alpha=2.0", "alpha"),
        (K_LOOP, ", beta=0.5", "beta"),
        (K_LOOP, ", beta=1, alpha=0.5", "alpha"),
        (BATCHED, ", alpha=0.5", "alpha"),
        (BATCHED, ", beta=0.0, alpha=3.0", "beta"),
    ],
    ids=["addmm_alpha", "addmm_beta", "addmm_beta_one_alpha_half", "baddbmm_alpha", "baddbmm_both"],
)
def test_scaled_addmm_is_refused_never_ignored(template, scales, keyword):
    source = kernel("a: torch.Tensor, b: torch.Tensor", template.replace("SCALES", scales))
    value = scales.split(f"{keyword}=")[1].split(",")[0]  # the caret is under the value
    assert_refused_at(
        source, line_of(source, "acc = torch."), f"{keyword}={value}"[len(keyword) + 1 :],
        f"({keyword}=...)", "acc * beta + alpha * (a @ b)",
    )  # fmt: skip


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_unscaled_addmm_computes_as_torch(dtype):
    source = kernel("a: torch.Tensor, b: torch.Tensor", K_LOOP.replace("SCALES", ""))
    bound = PRODUCT if dtype == torch.float32 else None
    assert_computes_as_torch(
        source,
        lambda: [f(37, 45, dtype=dtype), f(45, 29, dtype=dtype)],
        lambda a, b: a @ b,
        bound=bound,
    )


@pytest.mark.parametrize(
    "template, scales, make, truth",
    [
        (K_LOOP, ", beta=1, alpha=1", lambda: [f(37, 45), f(45, 29)], lambda a, b: a @ b),
        (K_LOOP, ", alpha=1.0", lambda: [f(37, 45), f(45, 29)], lambda a, b: a @ b),
        (BATCHED, ", beta=1.0", lambda: [f(3, 37, 45), f(3, 45, 29)], lambda a, b: a @ b),
    ],
    ids=["addmm_both_one", "addmm_alpha_one_float", "baddbmm_beta_one"],
)
def test_scales_of_one_written_out_compute_as_torch(template, scales, make, truth):
    """torch's defaults spelled out are the unscaled product (before round 8: refused)."""
    source = kernel("a: torch.Tensor, b: torch.Tensor", template.replace("SCALES", scales))
    assert_computes_as_torch(source, make, truth, bound=PRODUCT)


SCALED_BY_HAND = {
    # the hint's spelling: beta * c + alpha * (a @ b), one product over the whole K
    "one_shot": (
        "    m, kk = a.size()\n    _, n = b.size()\n    out = torch.empty_like(c)\n"
        "    for tm, tn in hl.tile([m, n]):\n"
        "        out[tm, tn] = 0.5 * c[tm, tn] + 2.0 * (a[tm, :] @ b[:, tn])\n    return out\n",
        lambda: [f(37, 45), f(45, 29), f(37, 29)],
        lambda a, b, c: torch.addmm(c, a, b, beta=0.5, alpha=2.0),
    ),
    # alpha on each chunk's product inside the K loop, beta once after it
    "k_loop": (
        "    m, kk = a.size()\n    _, n = b.size()\n    out = torch.empty_like(c)\n"
        "    for tm, tn in hl.tile([m, n]):\n        acc = hl.zeros([tm, tn], dtype=torch.float32)\n"
        "        for tk in hl.tile(kk):\n            acc = acc + 3.0 * (a[tm, tk] @ b[tk, tn])\n"
        "        out[tm, tn] = c[tm, tn] * 0.25 + acc\n    return out\n",
        lambda: [f(37, 301), f(301, 29), f(37, 29)],
        lambda a, b, c: torch.addmm(c, a, b, beta=0.25, alpha=3.0),
    ),
}


@pytest.mark.parametrize("case", SCALED_BY_HAND)
def test_scaled_sum_the_hint_names_computes_as_torch(case):
    body, make, truth = SCALED_BY_HAND[case]
    source = kernel("a: torch.Tensor, b: torch.Tensor, c: torch.Tensor", body)
    assert_computes_as_torch(source, make, truth, bound=PRODUCT)


# -- products with a vector ---------------------------------------------------------------

ROWS_OUT = """    m, kk = a.size()
    out = torch.empty([m], dtype=a.dtype, device=a.device)
    for tm in hl.tile(m):
        out[tm] = VALUE
    return out
"""
COLUMNS_OUT = """    kk, n = b.size()
    out = torch.empty([n], dtype=b.dtype, device=b.device)
    for tn in hl.tile(n):
        out[tn] = VALUE
    return out
"""

# (template, signature, the product, the sum of products the hint spells)
VECTOR_PRODUCTS = {
    "matrix_vector_matmul": (ROWS_OUT, "a: torch.Tensor, v: torch.Tensor", "torch.matmul(a[tm, :], v[:])", "(a[tm, :] * v[:][None, :]).sum(-1)"),
    "matrix_vector_operator": (ROWS_OUT, "a: torch.Tensor, v: torch.Tensor", "a[tm, :] @ v[:]", "(a[tm, :] * v[:][None, :]).sum(-1)"),
    "vector_matrix": (COLUMNS_OUT, "v: torch.Tensor, b: torch.Tensor", "v[:] @ b[:, tn]", "(v[:][:, None] * b[:, tn]).sum(0)"),
}  # fmt: skip


@pytest.mark.parametrize("case", VECTOR_PRODUCTS)
def test_product_with_a_vector_is_refused_spelling_the_sum(case):
    template, signature, product, fix = VECTOR_PRODUCTS[case]
    source = kernel(signature, template.replace("VALUE", product))
    assert_refused_at(source, line_of(source, product), product, "matrix product of", fix)


@pytest.mark.parametrize("case", VECTOR_PRODUCTS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_sum_of_products_the_hint_spells_computes_as_torch(case, dtype):
    template, signature, _, fix = VECTOR_PRODUCTS[case]
    source = kernel(signature, template.replace("VALUE", fix))
    bound = PRODUCT if dtype == torch.float32 else None
    first, second = ((37, 29), (29,)) if template is ROWS_OUT else ((29,), (29, 45))
    assert_computes_as_torch(
        source,
        lambda: [f(*first, dtype=dtype), f(*second, dtype=dtype)],
        lambda x, y: (x @ y).to(torch.float16 if dtype == torch.float16 else x.dtype),
        bound=bound,
    )


def test_matrix_vector_in_a_k_loop_as_a_sum_computes_as_torch():
    body = (
        "    m, kk = a.size()\n    out = torch.empty([m], dtype=torch.float32, device=a.device)\n"
        "    for tm in hl.tile(m):\n        acc = hl.zeros([tm], dtype=torch.float32)\n"
        "        for tk in hl.tile(kk):\n            acc = acc + (a[tm, tk] * v[tk][None, :]).sum(-1)\n"
        "        out[tm] = acc\n    return out\n"
    )
    assert_computes_as_torch(
        kernel("a: torch.Tensor, v: torch.Tensor", body),
        lambda: [f(37, 1001), f(1001)],
        lambda a, v: a @ v,
        bound=PRODUCT,
    )


@pytest.mark.parametrize(
    "call, hint",
    [
        ("torch.mv(a[tm, :], v[:])", "(a * v[None, :]).sum(-1)"),
        ("torch.dot(a[tm, :], v[:])", "(a * b).sum()"),
    ],
    ids=["mv", "dot"],
)
def test_vector_product_functions_name_the_sum(call, hint):
    source = kernel("a: torch.Tensor, v: torch.Tensor", ROWS_OUT.replace("VALUE", call))
    name = call.split("(")[0].split(".")[1]
    assert_refused_at(source, line_of(source, call), f"{name}(", f"'{name}' is not supported", hint)


# -- one element per row picked by an index tensor ------------------------------------------

PICKED = """    m, n = logits.size()
    out = torch.empty([m], dtype=logits.dtype, device=logits.device)
    for tile in hl.tile(m):
        out[tile] = VALUE
    return out
"""


def picked_args(dtype=torch.float32):
    return lambda: [f(301, 29, dtype=dtype), torch.randint(0, 29, (301,), device=DEVICE)]


def test_crossed_gather_stored_per_row_is_refused_naming_tile_index():
    source = kernel(
        "logits: torch.Tensor, target: torch.Tensor",
        PICKED.replace("VALUE", "logits[tile, target[tile]] - logits[tile, :].amax(-1)"),
    )
    assert_refused_at(
        source, line_of(source, "out[tile] ="), "out[tile]", "storing a 2-D value into a 1-D",
        "spans tile twice", "x[tile.index, idx[tile]]",
    )  # fmt: skip


ONE_PER_ROW = {
    "tile_index": ("logits[tile.index, target[tile]]", lambda lg, t: lg[torch.arange(301), t]),
    "gather_squeezed": (
        "torch.gather(logits[tile, :], 1, target[tile][:, None]).squeeze(1)",
        lambda lg, t: lg[torch.arange(301), t],
    ),
    "minus_row_max": (
        "logits[tile.index, target[tile]] - logits[tile, :].amax(-1)",
        lambda lg, t: lg[torch.arange(301), t] - lg.amax(-1),
    ),
}


@pytest.mark.parametrize("case", ONE_PER_ROW)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_one_element_per_row_computes_as_torch(case, dtype):
    value, truth = ONE_PER_ROW[case]
    source = kernel("logits: torch.Tensor, target: torch.Tensor", PICKED.replace("VALUE", value))
    bound = PRODUCT if dtype == torch.float32 else None
    assert_computes_as_torch(source, picked_args(dtype), truth, bound=bound)


def test_integer_index_of_a_size_one_dim_computes_as_torch():
    """`v[:, 0]` of a [rows, 1] block drops that dim, as v.squeeze(1) (refused until probes14a,
    its hint naming squeeze)."""
    value = "torch.gather(logits[tile, :], 1, target[tile][:, None])[:, 0]"
    source = kernel("logits: torch.Tensor, target: torch.Tensor", PICKED.replace("VALUE", value))
    truth = lambda lg, t: lg[torch.arange(301), t]  # noqa: E731
    assert_computes_as_torch(source, picked_args(torch.float32), truth, bound=PRODUCT)


def test_integer_index_of_a_wider_dim_of_a_block_names_the_tensor():
    value = "logits[tile, :][:, 0]"
    source = kernel("logits: torch.Tensor, target: torch.Tensor", PICKED.replace("VALUE", value))
    assert_refused_at(source, line_of(source, "[:, 0]"), "0]", "indexing a block", "x[tile, 0]")


# -- hl.arange of a length ------------------------------------------------------------------


def _arange_kernel(value: str, dtype: str = "x.dtype") -> str:
    body = (
        f"    m, n = x.size()\n    out = torch.empty([m], dtype={dtype}, device=x.device)\n"
        f"    for tile in hl.tile(m):\n        out[tile] = {value}\n    return out\n"
    )
    return kernel("x: torch.Tensor", body)


def test_arange_of_an_odd_literal_is_refused_naming_a_tile():
    """hl.arange(37): not a power of two nor a size from the host (hl.arange(16):
    tests/test_probes13_blocks.py; hl.arange(n) of a host size: below)."""
    source = _arange_kernel("x[tile, 0] + hl.arange(37).sum()")
    words = ("hl.arange", "not a length", "hl.arange(tile)", "tile.index")
    assert_refused_at(source, line_of(source, "hl.arange"), "hl.arange", *words)


def test_arange_of_a_host_size_computes_as_torch():
    """hl.arange(n) of n from the host is that whole dimension's indices (was refused)."""
    source = _arange_kernel("(x[tile, :] * hl.arange(n)[None, :]).sum(-1)", "torch.float32")
    make = lambda: [torch.randn(13, 37, device=DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, lambda x: (x * torch.arange(37.0)).sum(-1))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_indices_of_a_dimension_by_a_tile_compute_as_torch(dtype):
    """The fix the hint names: a tile over the dimension, its .index the arange."""
    body = (
        "    m, n = x.size()\n    out = torch.empty([m], dtype=torch.float32, device=x.device)\n"
        "    for tm in hl.tile(m):\n        acc = hl.zeros([tm], dtype=torch.float32)\n"
        "        for tn in hl.tile(n):\n"
        "            acc = acc + (x[tm, tn] * tn.index[None, :]).sum(-1)\n"
        "        out[tm] = acc\n    return out\n"
    )
    assert_computes_as_torch(
        kernel("x: torch.Tensor", body),
        lambda: [f(37, 301, dtype=dtype)],
        lambda x: (x * torch.arange(301)).sum(-1).float(),
        bound={"rtol": 2e-3, "atol": 2e-3} if dtype == torch.float32 else None,
    )
