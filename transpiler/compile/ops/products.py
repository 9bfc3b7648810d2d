"""Matrix products as data: where each one's factors, accumulator and result dtype are passed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProductOp:
    """A matrix product: the positions (and keywords) of its two factors, of the tensor it adds
    the product to (None: no such parameter), of torch's dtype overload (`torch.bmm(a, b,
    torch.float32)`; hl.dot's out_dtype), whether it has torch's beta= / alpha= scales (refused
    unless 1), whether it is a tensor method too (`a.mm(b)`)
    and the ranks its factors may have (None: any, as `@`'s)."""

    name: str
    factors: tuple[int, int] = (0, 1)
    factor_keywords: tuple[str, str] = ("input", "mat2")
    accumulator: int | None = None
    accumulator_keyword: str = "input"
    out_dtype: int | None = None
    scales: bool = False
    method: bool = True
    ranks: tuple[int, ...] | None = None


# torch's products (the cost model's too: perf/op_calls.py)
TORCH_PRODUCTS = (
    ProductOp("matmul", factor_keywords=("input", "other")),
    ProductOp("mm", out_dtype=2, ranks=(2,)),
    ProductOp("bmm", out_dtype=2, ranks=(3,)),
    ProductOp(
        "addmm", (1, 2), ("mat1", "mat2"), accumulator=0, out_dtype=3, scales=True,
        method=False, ranks=(2,),
    ),
    ProductOp(
        "baddbmm", (1, 2), ("batch1", "batch2"), accumulator=0, out_dtype=3, scales=True,
        method=False, ranks=(3,),
    ),
)  # fmt: skip
TORCH_PRODUCTS_BY_NAME = {op.name: op for op in TORCH_PRODUCTS}
# hl's (its row in ops/hl.py lowers by dots.dot_call): mat1, mat2, acc=None, out_dtype=None
LANGUAGE_PRODUCTS = (
    ProductOp(
        "dot", factor_keywords=("mat1", "mat2"), accumulator=2, accumulator_keyword="acc",
        out_dtype=3, method=False, ranks=(2, 3),
    ),
)  # fmt: skip
LANGUAGE_PRODUCTS_BY_NAME = {op.name: op for op in LANGUAGE_PRODUCTS}
# products called by their qualified name (torch.mm, helion.language.dot)
PRODUCTS_BY_QUALIFIED = {
    **{f"torch.{op.name}": op for op in TORCH_PRODUCTS},
    **{f"helion.language.{op.name}": op for op in LANGUAGE_PRODUCTS},
}
PRODUCT_NAMES = frozenset(op.name for op in (*TORCH_PRODUCTS, *LANGUAGE_PRODUCTS))
PRODUCT_METHODS = tuple(op.name for op in TORCH_PRODUCTS if op.method)  # a.mm(b), a.matmul(b)
