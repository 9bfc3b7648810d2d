"""Lowering of torch.linalg.vector_norm, torch.norm / Tensor.norm and F.normalize: a map, a row
reduction, a finish."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import DtypeMismatchError, UnsupportedConstructError
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
        self, value: Value, args: Arguments, node: cst.Call, order_name: str = "ord"
    ) -> Value:
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
        self.require_floats(value, node)
        terms = value.with_code(
            expr(term, x=value.code), dtype="float", loaded_from=frozenset(), storage=None
        )
        kept = {k: v for k, v in args.keywords.items() if k in ("dim", "keepdim")}
        by_name = args.rest(len(args.positional)).bound(kept)  # bound: every one by its name
        reduced = self.k.reductions.reduction(reduction, terms, by_name, node)
        return reduced.with_code(expr(finish, r=reduced.code), dtype="float")

    def require_floats(self, value: Value, node: cst.Call) -> None:
        """torch's norms refuse integer tensors ("Expected a floating point or complex tensor"),
        Triton's tl.sqrt too: integers known here are refused at the call, a tensor's values
        at the launch, naming the line (a converted operand, `x.float()`, is a float)."""
        line = self.k.source.line_of(node)
        if value.dtype in ("int", "bool"):
            raise self.k.source.error(
                DtypeMismatchError,
                node,
                "a norm of integers: torch's norms take floats",
                hint="convert first: x.float()",
            )
        for tensor in sorted(value.loaded_from | value.fed_by) if value.dtype is None else ():
            message = (
                f"line {line}: torch's norms take floats, {tensor} is {{{tensor}.dtype}}: "
                f"pass {tensor}.float()"
            )
            test = f"{tensor}.is_floating_point()"
            self.k.argument_checks.append(f'require({test}, f"{message}", TypeError)')
            self.k.host_helpers.add("require")

    def norm(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """torch.norm(x, p, dim, keepdim) and x.norm(...): vector_norm with p for ord."""
        return self.vector_norm(value, args, node, order_name="p")

    def normalize(self, value: Value, args: Arguments, node: cst.Call) -> Value:
        """x / max(norm of x along dim, eps), torch.nn.functional.normalize."""
        dim = args.keywords.get("dim", cst.Integer("1"))
        eps = args.keywords.get("eps")
        keywords = {"dim": dim, "keepdim": cst.Name("True")}
        if "p" in args.keywords:
            keywords["p"] = args.keywords["p"]
        norm = self.vector_norm(value, args.bound(keywords), node, order_name="p")
        limit = expr("1e-12") if eps is None else self.k.expressions.lower_expr(eps).code
        code = expr("x / tl.maximum(n, e)", x=value.code, n=norm.code, e=limit)
        return block(code, value.dims, "float")
