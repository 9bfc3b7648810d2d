"""A dot's result times a scalar (`s = q @ k.T * scale`): its row maximum taken before the
scaling, and `torch.exp(s - m)` one exp2 with the scale and log2(e) folded in.

Attention's plain spelling (`s = (q @ k.T) * scale; m = max(m_i, s.amax(-1)); p = exp(s - m)`)
otherwise costs three float32 operations per score where the exp2 spelling costs one fused
multiply-add: the scaling, exp's own multiply by log2(e), and the subtraction. Here:
- the product keeps a name of its own (`s_unscaled = tl.dot(...)`, `s = s_unscaled * scale`);
- `s.amax(d)` is `s_unscaled`'s maximum times the scale when the scale is a positive finite
  number: rounding `x * c` is monotone for c > 0, so the two are equal bit for bit. A Python
  number is known here; a scalar argument is tested by the launcher (a constexpr), the kernel
  keeping the plain form for the other case;
- `torch.exp(s - m)` is `tl.exp2(s_unscaled * (scale * LOG2E) - m * LOG2E)`. Triton's tl.exp is
  itself `ex2.approx(x * LOG2E)`; the folded argument differs from it by float32 roundings of
  the scaled terms (at most a few units in the last place of |s| + |m|), which is the rounding
  the source's own float32 `s` already carries.
A fact holds while the lines that made it are in scope (no branch or loop left or entered
since) and the scale is a number or a kernel argument the device code never assigns. A product
of a scaled factor (scaled_factors.py) is such a fact under the launcher's flag for it: its max
folds under both flags, its exp stays as written.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, replace

import libcst as cst

from ..emit.codegen import assign, expr
from ..emit.lines import Line
from .values import BLOCK, CONST, Value

LOG2E = 1.4426950408889634


@dataclass(frozen=True)
class Scaled:
    """value = unscaled * factor (or / factor), minus or plus `offset` when there is one."""

    unscaled: str  # a name holding the product, assigned before `anchor`
    factor: ast.expr  # a Python number, or a scalar kernel argument's name
    divides: bool
    anchor: int  # len(lines) when the fact was made
    last: Line | None  # the line before the anchor: the lines must still be the same
    depth: int  # the indentation the fact was made at
    base: Value | None  # the user's value `unscaled` named then (None: a name of ours)
    offset: ast.expr | None = None
    subtracts: bool = True
    # a constexpr the value is the scaling under (scaled_factors.py: `U * c if F else written`)
    flag: ast.expr | None = None


def _is_product(code: ast.expr) -> bool:
    """tl.dot(...) or dot_into(...), or a cast of one (`(q @ k.T).float()`), or a cast of a name (a product
    split_k.py accumulated in chunks)."""
    while (
        isinstance(code, ast.Call)
        and isinstance(code.func, ast.Attribute)
        and code.func.attr == "to"
        and not (isinstance(code.func.value, ast.Name) and code.func.value.id == "tl")
    ):
        code = code.func.value
    return isinstance(code, ast.Name) or (
        isinstance(code, ast.Call) and ast.unparse(code.func) in ("tl.dot", "dot_into")
    )


def scalar_factor(builder, value: Value) -> ast.expr | None:
    """The code of a scalar that cannot change while a fact holds: a nonzero number, or a
    scalar argument of the kernel that the device code does not assign."""
    if value.rank:
        return None
    if value.kind == CONST and isinstance(value.const, (int, float)) and value.const:
        return value.code if math.isfinite(value.const) else None
    code = value.code
    if value.kind == BLOCK and isinstance(code, ast.Name) and code.id not in builder.scope:
        param = builder.params.get(code.id)
        if param is not None and param.kind == "scalar":
            return code
    return None


def _float32_block(value: Value) -> bool:
    return (
        value.kind == BLOCK
        and value.rank > 0
        and value.dtype == "float"
        and not value.native
        and value.rounds_to is None
    )


def still_in_scope(builder, fact) -> bool:
    """Whether a scaling fact (`Scaled` here, `ScaledTile` in scaled_factors.py) may still be
    used: the lines it was made after are still the block's, no branch or loop was left or
    entered since (a loop's body may assign the names later, and run again: the value its
    first lines read is no longer the one the fact is about), and device code has not
    assigned the scale."""
    lines = builder.lines
    if fact.anchor > len(lines) or (fact.anchor and lines[fact.anchor - 1] is not fact.last):
        return False
    if builder.depth != fact.depth:
        return False
    if any(line.depth < fact.depth for line in lines[fact.anchor :]):
        return False  # a branch or loop was left: the names may not be defined here
    return not (isinstance(fact.factor, ast.Name) and fact.factor.id in builder.scope)


def holds(builder, fact: Scaled) -> bool:
    """Whether the names in `fact` still hold what they held when it was made."""
    if not still_in_scope(builder, fact):
        return False
    return fact.base is None or builder.scope.get(fact.unscaled) is fact.base


def scaled_product(
    builder, op_name: str, left: Value, right: Value, result: Value, node: cst.CSTNode
) -> Value:
    """`result` (left op right) with what it is a scaling or a shift of, where it is one."""
    if op_name in ("Subtract", "Add"):
        fact = left.scaled
        if (
            fact is not None
            and fact.offset is None
            and right.kind in (BLOCK, CONST)
            and right.code is not None
            and holds(builder, fact)
        ):
            return replace(
                result, scaled=replace(fact, offset=right.code, subtracts=op_name == "Subtract")
            )
        return result
    if op_name not in ("Multiply", "Divide"):
        return result
    pairs = [(left, right)] if op_name == "Divide" else [(left, right), (right, left)]
    for product, scalar in pairs:
        factor = scalar_factor(builder, scalar)
        if factor is None or not _float32_block(product):
            continue
        base: Value | None = None
        if isinstance(product.code, ast.Name):
            unscaled, base = product.code.id, builder.scope.get(product.code.id)
            if base is None and unscaled not in builder.split_products:
                continue  # (split_k.py's sum of a product's chunks: a name of ours, as is)
        elif (
            _is_product(product.code)
            and builder.direct_value is node
            and isinstance(builder.direct_target, cst.Name)
        ):  # `s = q @ k.T * scale`: the product gets a name, so both forms can read it
            unscaled = builder.names.fresh(f"{builder.direct_target.value}_unscaled")
            builder.emit(assign(unscaled, product.code), builder.source.line_of(node))
        else:
            continue
        operator = "/" if op_name == "Divide" else "*"
        code = expr(f"p {operator} c", p=ast.Name(id=unscaled), c=factor)
        lines = builder.lines
        fact = Scaled(
            unscaled, factor, op_name == "Divide", len(lines), lines[-1] if lines else None,
            builder.depth, base,
        )  # fmt: skip
        return replace(result, code=code, scaled=fact)
    return result


def exp_as_exp2(builder, operand: Value) -> ast.expr | None:
    """`tl.exp2(...)` for the exp of a scaled product (less a value), or None."""
    fact = operand.scaled
    if fact is None or fact.flag is not None or not holds(builder, fact):
        return None  # (under a flag: the written form's exp, as the source spells it)
    if fact.offset is not None and isinstance(operand.code, ast.Name):
        return None  # a named difference: its offset's names may have changed since
    log2e = ast.Constant(value=LOG2E)
    if fact.divides:
        factor = expr("l / c", l=log2e, c=fact.factor)
    else:
        factor = expr("c * l", c=fact.factor, l=log2e)
    argument = expr("p * (f)", p=ast.Name(id=fact.unscaled), f=factor)
    if fact.offset is not None:
        sign = "-" if fact.subtracts else "+"
        argument = expr(f"a {sign} o * l", a=argument, o=fact.offset, l=log2e)
    return expr("tl.exp2(a)", a=argument)


def scaled_maximum(builder, value: Value, reduce) -> Value | None:
    """`reduce(v)` (an amax) of a scaled product: the product's maximum times the scale where
    the scale is positive and finite (a constexpr the launcher sets for an argument, and the
    fact's own flag where it holds only under one), or None."""
    fact = value.scaled
    if fact is None or fact.offset is not None or not holds(builder, fact):
        return None
    if any(builder.reduction_loops.is_looped(axis) for axis in value.dims if axis is not None):
        return None
    unscaled = reduce(replace(value, code=ast.Name(id=fact.unscaled), scaled=None))
    operator = "/" if fact.divides else "*"
    folded = expr(f"m {operator} c", m=unscaled.code, c=fact.factor)
    if isinstance(fact.factor, ast.Constant):
        if fact.factor.value < 0:
            return None
        return unscaled.with_code(folded)
    plain = reduce(replace(value, scaled=None))
    name = fact.factor.id
    host = builder.params[name].launch
    # positive and finite as the kernel holds it, a float32 (0 below ~1e-45, inf past ~3.4e38:
    # max(x) * 0 is no NaN where some x * 0 is, -inf * 0)
    test = f"isinstance({host}, (int, float)) and 1e-38 < {host} < 1e38"
    flag = next((f for f, launch in builder.constexprs.items() if launch == test), None)
    flag = flag or builder.constexpr(f"{name.upper()}_POSITIVE", test)
    test = ast.Name(id=flag)
    if fact.flag is not None:  # `qk_unscaled * c if F else written`: under both
        test = expr("f and g", f=fact.flag, g=test)
    return plain.with_code(expr("a if t else b", a=folded, t=test, b=plain.code))
