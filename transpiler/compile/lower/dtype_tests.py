"""Comparisons of dtypes inside a device loop (`if x.dtype == torch.float16:`, `x.dtype !=
y.dtype`, `x.dtype in (torch.float16, torch.bfloat16)`): Triton compares its dtypes while
compiling, so the test is a constant of each specialisation (`x_ptr.dtype.element_ty ==
tl.float16`), the branch not taken left out. Before, a dtype was refused as a value. A test of
the dtype of a block computed in the loop is refused: its Triton dtype may not be torch's."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import UnsupportedConstructError
from .module_globals import module_global
from .values import DTYPE, Value, block, constant

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_EQUALITY = {cst.Equal: "==", cst.NotEqual: "!=", cst.In: "in", cst.NotIn: "not in"}


def dtype_comparison(k: KernelBuilder, node: cst.Comparison) -> Value | None:
    """The test `node` makes of dtypes, or None when it compares something else."""
    if len(node.comparisons) != 1:
        return None
    target = node.comparisons[0]
    symbol = _EQUALITY.get(type(target.operator))
    if symbol in ("in", "not in"):
        comparator = target.comparator
        if not isinstance(comparator, (cst.Tuple, cst.List, cst.Set)):
            return None
        items = [e.value for e in comparator.elements]
    else:
        items = [target.comparator]
    if not items or not all(_is_dtype(k, n) for n in [node.left, *items]):
        return None
    left = k.expressions.lower_expr(node.left)
    rights = [k.expressions.lower_expr(n) for n in items]
    if any(v.kind != DTYPE for v in [left, *rights]):
        return None
    if not all(_as_torch(v) for v in [left, *rights]):
        raise k.source.error(
            UnsupportedConstructError,
            node,
            "a test of the dtype of a block computed in the loop: the kernel may hold it in "
            "another dtype than torch (float16 arithmetic in float32, tile indices in int32)",
            hint="test the dtype of the tensor it comes from (x.dtype), or of a block loaded "
            "from it (v = x[tile]; v.dtype)",
        )
    equal = symbol in ("==", "in")
    if left.const != "runtime" and all(r.const != "runtime" for r in rights):
        return constant(any(left.const == r.const for r in rights) == equal)
    word = "==" if equal else "!="
    tests = [expr(f"a {word} b", a=left.code, b=r.code) for r in rights]
    code = (
        tests[0]
        if len(tests) == 1
        else ast.BoolOp(op=ast.Or() if equal else ast.And(), values=tests)
    )
    return block(code, (), "bool")


def _as_torch(value: Value) -> bool:
    """Whether the Triton dtype of `value` is torch's: a torch dtype named in the source, or a
    tensor's element type in memory (`x.dtype`, a block loaded and not computed on). A computed
    block's Triton dtype may differ (float16 arithmetic runs in float32, `tile.index` is int32
    where torch's is int64): a test of it would take the other branch than torch, so it stays
    refused."""
    if value.const != "runtime":
        return True
    return isinstance(value.code, ast.Attribute) and value.code.attr == "element_ty"


def _is_dtype(k: KernelBuilder, node: cst.BaseExpression) -> bool:
    """Whether `node` is spelt as a dtype (`x.dtype` of a name, `torch.float16`, a name bound
    to one), checked before lowering it: lowering the other side of a comparison twice would
    emit its code twice."""
    if isinstance(node, cst.Attribute):
        if node.attr.value == "dtype":
            return isinstance(node.value, cst.Name)
        return (k.aliases.qualified(node) or "").startswith("torch.")
    if not isinstance(node, cst.Name):
        return False
    if node.value in k.scope:
        return k.scope[node.value].kind == DTYPE
    if node.value in k.host.names:
        return node.value in k.host.dtypes
    found = module_global(node.value, k.aliases, k.source.module)
    return found is not None and found.kind == DTYPE
