"""Lowering of torch.linalg.vector_norm, torch.norm / Tensor.norm and F.normalize: a map, a row
reduction, a finish."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import UnsupportedConstructError
from .argument_checks import floats_only
from .arguments import Arguments
from .values import Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# ord → (each element's term, the reduction over the terms, the norm from the reduced value)
_ORDERS: dict[float, tuple[str, str, str]] = {
    2: ("x * x", "sum", "tl.sqrt(r)"),
    1: ("tl.abs(x)", "sum", "r"),
    float("inf"): ("tl.abs(x)", "amax", "r"),
}
# torch.norm's named orders: p="fro" over one or several dims is the 2-norm of their elements
_NAMED_ORDERS = {"fro": 2}
_MATRIX_NORM_HINT = (
    "'nuc' is a matrix norm (the sum of singular values): take torch.linalg.matrix_norm(x, "
    "'nuc') in host code"
)


class Norms:
    """`vector_norm(value, args, node)` and `normalize(value, args, node)`."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def vector_norm(
        self,
        value: Value,
        args: Arguments,
        node: cst.Call,
        order_name: str = "ord",
        spelled: str = "linalg.vector_norm",
    ) -> Value:
        floats_only(self.k, spelled, value, args, node)  # torch refuses integer norms
        order_node = args.keywords.get(order_name)
        order = 2 if order_node is None else self.k.expressions.lower_expr(order_node).const
        order = _NAMED_ORDERS.get(order, order) if order_name == "p" else order
        if order not in _ORDERS:
            raise self.k.source.error(
                UnsupportedConstructError,
                order_node,
                f"{order_name}={order!r}: the norms lowered are of order 2 ('fro' for torch.norm),"
                " 1 and inf",
                hint=_MATRIX_NORM_HINT
                if isinstance(order, str)
                else "for another p write torch.sum(torch.abs(x) ** p, dim) ** (1 / p)",
            )
        term, reduction, finish = _ORDERS[order]
        terms = value.with_code(
            expr(term, x=value.code), dtype="float", loaded_from=frozenset(), storage=None
        )
        kept = {k: v for k, v in args.keywords.items() if k in ("dim", "keepdim")}
        by_name = args.rest(len(args.positional)).bound(kept)  # bound: every one by its name
        reduced = self.k.reductions.reduction(reduction, terms, by_name, node)
        return reduced.with_code(expr(finish, r=reduced.code), dtype="float")

    def norm(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """torch.norm(x, p, dim, keepdim) and x.norm(...): vector_norm with p for ord."""
        return self.vector_norm(value, args, node, order_name="p", spelled="norm")

    def normalize(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """x / max(norm of x along dim, eps), torch.nn.functional.normalize."""
        dim = args.keywords.get("dim", cst.Integer("1"))
        eps = args.keywords.get("eps")
        keywords = {"dim": dim, "keepdim": cst.Name("True")}
        if "p" in args.keywords:
            keywords["p"] = args.keywords["p"]
        bound = args.bound(keywords)
        norm = self.vector_norm(
            value, bound, node, order_name="p", spelled="nn.functional.normalize"
        )
        limit = expr("1e-12") if eps is None else self.k.expressions.lower_expr(eps).code
        code = expr("x / tl.maximum(n, e)", x=value.code, n=norm.code, e=limit)
        return block(code, value.dims, "float")
