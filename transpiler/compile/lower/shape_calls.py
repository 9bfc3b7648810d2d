"""The shape analysis' calls (shapes.py): each call's rule by the op / hl table's shape column."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.callables import InlineCallable
from ..frontend.errors import UnsupportedConstructError
from ..frontend.kernels import find_kernel_decorator
from ..frontend.signatures import HL_SIGNATURES
from ..ops.composites import COMPOSITES
from ..ops.hl import HL_BY_NAME
from ..ops.products import TORCH_PRODUCTS_BY_NAME
from ..ops.table import ELEMENTWISE_BY_NAME, REDUCTIONS_BY_NAME
from ..ops.table_orderings import ORDERING_OPS_BY_NAME
from . import shape_composites as composites
from . import shape_hl as hl
from . import shape_torch as view
from .einsum import einsum_expression, equation_of, operands_of
from .shape_stacks import gather, multiplied, stacked
from .shape_values import UNKNOWN, Block, Call

if TYPE_CHECKING:
    from .shapes import Walker

Rule = Callable[["Walker", Call], object]
BUILTINS = {
    "float",
    "int",
    "min",
    "max",
    "abs",
    "round",
}  # Python's: element-wise over their arguments
# rules whose owner need not be a block (x.new_zeros(...), torch.stack's list)
OWNERLESS = (view.allocate_new, stacked)

COMPOSITE_RULES = {
    "normalized": composites.normalized,
    "linear": composites.linear,
    "same": view.same,
}

# A method or torch function that is no row of the op table: name → its rule.
TORCH_SHAPES = {
    **dict.fromkeys(("to", "float", "half", "bfloat16", "double", "int", "long"), view.same),
    **dict.fromkeys(("bool", "clone", "type", "type_as", "detach", "normalize"), view.same),
    **dict.fromkeys(("full_like", "zeros_like", "ones_like", "empty_like"), view.same),
    **dict.fromkeys(("new_zeros", "new_ones", "new_full", "new_empty"), view.allocate_new),
    **dict.fromkeys(("view", "reshape"), view.reshaped),
    "expand": view.expanded,
    **dict.fromkeys(("transpose", "permute"), view.permute),
    **dict.fromkeys(("stack", "cat", "concat", "concatenate"), stacked),
    "contiguous": view.itself,
    "unsqueeze": view.unsqueeze,
    "squeeze": view.squeeze,
    "expand_as": view.expand_as,
    "flatten": view.flatten,
    "unflatten": view.unflatten,
    "t": view.transpose_method,
    "gather": gather,
    **dict.fromkeys(("var_mean", "aminmax"), view.var_mean),
    **dict.fromkeys(("vector_norm", "norm"), composites.vector_norm),
    # F.layer_norm, F.linear, ...: their row's shape column (ops/composites.py)
    **{op.name: COMPOSITE_RULES[op.shape] for op in COMPOSITES},
}

# The op and hl tables' `shape` column: a rule name → its rule (hl.tile's "tiles" and hl.grid's
# "indices" are read by shapes.Walker.loop).
RULES = {
    "broadcast": view.broadcast,
    "reduction": view.reduce,
    "ordering": view.ordering,
    "allocate": hl.allocate,
    "lanes": hl.lanes,
    "halves": hl.halves,
    "pair": hl.pair,
    "reduce_with": hl.reduce_with,
    "scan_with": hl.scan_with,
    "running": hl.running,
    "product": hl.dotted,
    "read": hl.read,
    "write": hl.write,
    "update": hl.update,
    "passthrough": hl.passthrough,
}


def call(w: Walker, node: cst.Call) -> object:
    func = node.func
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    qualified = w.qualified(func)
    if qualified is not None and qualified.startswith("helion.language."):
        name = qualified.removeprefix("helion.language.")
        row = HL_BY_NAME.get(name)
        rule = RULES.get(row.shape) if row is not None and row.shape else None
        if rule is None:
            return UNKNOWN
        named = dict(zip(HL_SIGNATURES[name].positional, positional))
        return rule(w, Call(name, positional, {**named, **keywords}))
    if qualified == "torch.einsum" and positional:  # as the expression it equals (einsum.py)
        equation = equation_of(positional[0])
        operands = operands_of(positional[1:])
        lowered = None if equation is None else einsum_expression(equation, operands)
        return w.expr(lowered) if lowered is not None else UNKNOWN
    if qualified is not None and qualified.startswith("torch."):
        name = qualified.rsplit(".", 1)[-1]
        first = positional[0] if positional else keywords.pop("input", None)  # as lowering reads
        if first is None:
            return UNKNOWN
        return apply(w, Call(name, positional[1:], keywords, w.expr(first), first))
    if qualified == "typing.cast" and len(positional) == 2:
        return w.expr(positional[1])
    if isinstance(func, cst.Name) and func.value not in w.scope:
        helper = w.helpers.get(func.value)
        if helper is not None:
            refuse_uninlinable(w, helper, node)
            return inline(w, helper, [w.expr(p) for p in positional])
        given = w.callables.get(func.value)
        if isinstance(given, InlineCallable):
            return inline_callable(w, given, [w.expr(p) for p in positional])
    if isinstance(func, cst.Name) and func.value in BUILTINS:
        result: object = Block(())
        for value in map(w.expr, positional):
            result = w.meeting.broadcast(result, value)
        return result
    if isinstance(func, cst.Attribute):
        owner = w.expr(func.value)
        return apply(w, Call(func.attr.value, positional, keywords, owner, func.value))
    return UNKNOWN


def torch_rule(name: str) -> Rule | None:
    """A torch name's rule: its op-table row's shape column, a product's row, else
    TORCH_SHAPES (views, casts, stacks, gathers)."""
    if name in TORCH_PRODUCTS_BY_NAME:
        return lambda w, c: multiplied(w, c, TORCH_PRODUCTS_BY_NAME[name])
    for table in (ELEMENTWISE_BY_NAME, REDUCTIONS_BY_NAME, ORDERING_OPS_BY_NAME):
        row = table.get(name)
        if row is not None:
            return RULES[row.shape]
    return TORCH_SHAPES.get(name)


def apply(w: Walker, c: Call) -> object:
    rule = torch_rule(c.name)
    if rule is None or (rule not in OWNERLESS and not isinstance(c.owner, Block)):
        return UNKNOWN
    return rule(w, c)


def refuse_uninlinable(w: Walker, function: cst.FunctionDef, node: cst.Call) -> None:
    """A kernel called in a device loop (a launch, which only host code makes) and a function
    that calls itself (inlining it would never end) are errors at the call."""
    name = function.name.value
    if find_kernel_decorator(function, w.aliases) is not None:
        raise w.source.error(
            UnsupportedConstructError,
            node,
            f"{name}() is a kernel: a device loop cannot launch a kernel",
            hint=f"call {name}() in host code, before or after the loop, and index its result "
            "in the loop",
        )
    if name in w.inlining:
        raise w.source.error(
            UnsupportedConstructError,
            node,
            f"{name}() calls itself: a device loop inlines the functions it calls, and a "
            "recursive one never ends",
            hint="write the recursion as a loop (`for step in range(n):`) or compute it on "
            "the host",
        )


def inline(w: Walker, function: cst.FunctionDef, values: list) -> object:
    """A module function called in the loop: its body walked with the arguments bound."""
    saved = w.scope
    params = [p.name.value for p in function.params.params]
    w.scope = {**saved, **dict(zip(params, values))}
    w.inlining.append(function.name.value)
    try:
        for statement in function.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Return):
                        return UNKNOWN if small.value is None else w.expr(small.value)
                    w.small(small)
            else:
                w.statements([statement])
        return UNKNOWN
    finally:
        w.scope = saved
        w.inlining.pop()


def inline_callable(w: Walker, given: InlineCallable, values: list) -> object:
    """A callable argument (`score_mod`): its statements, then its returned expression."""
    saved = w.scope
    w.scope = {**saved, **dict(zip(given.params, values))}
    try:
        w.statements(given.statements)
        return w.expr(given.body)
    finally:
        w.scope = saved
