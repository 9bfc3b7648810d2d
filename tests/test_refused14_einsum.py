"""Round 14: `torch.einsum` inside a tile was refused ("torch op 'einsum' is not supported",
hint `@`). Its common forms now lower as the expressions they equal (lower/einsum.py): a matrix
product (`ik,kj->ij`, batched `bik,bkj->bij`, a factor transposed: `ik,jk->ij`), an element-wise
product summed (`ij,ij->i`, `i,i->`), a sum or a permutation of one operand (`ij->i`,
`ij->ji`); any other equation is refused naming the forms, and integer operands (torch keeps
their dtype, wrapping) at the launch. Each kernel that runs is compared with torch in float64
and compiled for sm_90 (conftest)."""

from __future__ import annotations

import pytest
import torch
from helpers import DEVICE, dot_tolerance, generated, signed_rand
from probe_kernels import kernel
from torch_answers import assert_computes_as_torch, assert_refused_at

PRODUCT_BOUND = dot_tolerance(torch.float32)  # float32 products of tl.dot (TF32 on a GPU)
M, K, N, B = 40, 24, 36, 3

MATRIX = (
    "    m, kk = a.size()\n"
    "    out = torch.empty([m, n], dtype=torch.float32, device=a.device)\n"
    "    for tm, tn in hl.tile([m, n]):\n"
    "        out[tm, tn] = EXPRESSION\n"
    "    return out\n"
)


def matrix(expression: str, n: str) -> str:
    body = MATRIX.replace("EXPRESSION", expression).replace("[m, n]", f"[m, {n}]")
    body = body.replace("hl.tile([m, n])", f"hl.tile([m, {n}])")
    return kernel(
        "a: torch.Tensor, b: torch.Tensor",
        body,
        "@helion.kernel(config=helion.Config(block_sizes=[16, 16]))",
    )


def test_the_user_s_matrix_product():
    """was: refused ("torch op 'einsum' is not supported inside a device loop")."""
    source = matrix("torch.einsum('ik,kj->ij', a[tm, :], b[:, tn])", "b.size(1)")
    make = lambda: [signed_rand(M, K).to(DEVICE), signed_rand(K, N).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, lambda a, b: a @ b, bound=PRODUCT_BOUND)


def test_a_product_with_the_second_factor_transposed_and_the_operands_in_a_list():
    source = matrix("torch.einsum('md,nd->mn', [a[tm, :], b[tn, :]]) * 0.5", "b.size(0)")
    make = lambda: [signed_rand(M, K).to(DEVICE), signed_rand(N, K).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, lambda a, b: (a @ b.T) * 0.5, bound=PRODUCT_BOUND)


def test_a_batched_product():
    source = kernel(
        "a: torch.Tensor, b: torch.Tensor",
        "    bs, m, kk = a.size()\n"
        "    n = b.size(2)\n"
        "    out = torch.empty([bs, m, n], dtype=torch.float32, device=a.device)\n"
        "    for tb, tm, tn in hl.tile([bs, m, n]):\n"
        "        out[tb, tm, tn] = torch.einsum('bik,bkj->bij', a[tb, tm, :], b[tb, :, tn])\n"
        "    return out\n",
        "@helion.kernel(config=helion.Config(block_sizes=[2, 16, 16]))",
    )
    make = lambda: [signed_rand(B, M, K).to(DEVICE), signed_rand(B, K, N).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, torch.bmm, bound=PRODUCT_BOUND)


ROWS = (
    "    m, n = a.size()\n"
    "    out = torch.empty(SHAPE, dtype=torch.float32, device=a.device)\n"
    "    for tm in hl.tile(m):\n"
    "        out[TARGET] = EXPRESSION\n"
    "    return out\n"
)
ROW_FORMS = {  # (expression of a and b rows, out's shape, the target, torch's answer)
    "rows_dotted": ("torch.einsum('ij,ij->i', a[tm, :], b[tm, :])", "[m]", "tm",
                    lambda a, b: torch.einsum("ij,ij->i", a, b)),
    "row_sums": ("torch.einsum('ij->i', a[tm, :] - b[tm, :])", "[m]", "tm",
                 lambda a, b: (a - b).sum(1)),
    "elementwise_kept": ("torch.einsum('ij,ij->ij', a[tm, :], b[tm, :]) + 1", "[m, n]", "tm, :",
                         lambda a, b: a * b + 1),
}  # fmt: skip


@pytest.mark.parametrize("case", ROW_FORMS)
def test_products_summed_and_sums(case):
    expression, shape, target, truth = ROW_FORMS[case]
    body = ROWS.replace("EXPRESSION", expression).replace("SHAPE", shape).replace("TARGET", target)
    make = lambda: [signed_rand(M, K).to(DEVICE), signed_rand(M, K).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(kernel("a: torch.Tensor, b: torch.Tensor", body), make, truth)


def test_a_vector_dot_of_two_rows_and_a_transpose():
    source = kernel(
        "a: torch.Tensor, b: torch.Tensor",
        "    m, n = a.size()\n"
        "    dots = torch.empty([m], dtype=torch.float32, device=a.device)\n"
        "    flipped = torch.empty([n, m], dtype=torch.float32, device=a.device)\n"
        "    for r in hl.grid(m):\n"
        "        dots[r] = torch.einsum('i,i->', a[r, :], b[r, :])\n"
        "    for tm, tn in hl.tile([m, n]):\n"
        "        flipped[tn, tm] = torch.einsum('ij->ji', a[tm, tn]) * 2\n"
        "    return dots, flipped\n",
    )
    make = lambda: [signed_rand(M, K).to(DEVICE), signed_rand(M, K).to(DEVICE)]  # noqa: E731
    assert_computes_as_torch(source, make, lambda a, b: ((a * b).sum(1), a.T * 2))


REFUSED = {  # (the einsum, words of the error)
    "three_operands": ("torch.einsum('ij,ij,ij->i', a[tm, :], b[tm, :], a[tm, :])", "'ij,ij,ij->i'"),
    "a_diagonal": ("torch.einsum('ii->i', a[tm, :])", "'ii->i'"),
    "an_ellipsis": ("torch.einsum('...j,...j->...', a[tm, :], b[tm, :])", "'...j,...j->...'"),
    "an_outer_product": ("torch.einsum('i,j->ij', a[tm, 0], b[tm, 0]).sum(-1)", "'i,j->ij'"),
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_other_equations_are_refused_naming_the_forms(case):
    expression, words = REFUSED[case]
    body = ROWS.replace("EXPRESSION", expression).replace("SHAPE", "[m]").replace("TARGET", "tm")
    source = kernel("a: torch.Tensor, b: torch.Tensor", body)
    assert_refused_at(source, 12, "'", words, "the forms lowered are", "a @ b.mT")


def test_integer_operands_are_refused_at_the_launch():
    body = ROWS.replace("EXPRESSION", "torch.einsum('ij,ij->i', a[tm, :], b[tm, :])")
    source = kernel(
        "a: torch.Tensor, b: torch.Tensor", body.replace("SHAPE", "[m]").replace("TARGET", "tm")
    )
    a = torch.randint(1, 9, (M, K), device=DEVICE, dtype=torch.int32)
    with pytest.raises(TypeError, match="einsum of a, torch.int32: lowered for floats only"):
        generated(source, "k", a, a.clone())(a, a.clone())
