"""A product's factor that is a loaded tile times a scalar (`bmm(q * scale, k)`): the tile
multiplied as loaded and the product scaled instead, `tl.dot(q, k) * scale`.

torch rounds `q * scale` to q's dtype before the product (bfloat16 for a bfloat16 q), so the
factor is computed in registers: on Hopper, Triton then feeds that factor to every wgmma of the
key loop from registers, reading it from shared memory each time (Helion's attention example:
16 ldmatrix per iteration, RS wgmma), where a factor straight from a load is read by the
tensor cores from the copy itself. Scaling the product instead computes the same sum without
rounding each `q * scale` to 16 bits: the difference is that rounding, which the product's own
bfloat16 inputs already carry (measured: benchmarks/lab/attention_spellings_ptx.py --errors).

Only where the rounding is all that differs: no accumulator (`acc + (q * c) @ k` scales the
product alone and stays as written), the other factor a load too, and |scale| <= 1 (a division
by a scale with |scale| >= 1), so that `q * scale` cannot overflow where `q` does not. A Python
number is known here; a scalar argument is tested by the launcher (a constexpr), the kernel
keeping the written form for the other case.

A product that is an assignment's whole value keeps the unscaled product by name
(`qk_unscaled = tl.dot(q, k)`, then `qk = qk_unscaled * scale if FLAG else <as written>`), and
the result says so (a scaled_products.Scaled under that flag): `torch.amax(qk, -1)` is then
`max(qk_unscaled) * scale` where the scale is also positive (scaled_maximum), so that the
scaled scores' one remaining use, `qk - m`, compiles to one fused multiply-add each (Helion's
attention example's sm_90 PTX: 268 float32 multiplies, ours 132; now 144, the 12 more its
log-sum-exp's log2 after the loop).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from ..emit.codegen import assign, expr
from .scaled_products import Scaled, scalar_factor, still_in_scope
from .values import Value


@dataclass(frozen=True)
class ScaledTile:
    """value = tile * factor (or tile / factor)."""

    tile: Value  # the loaded tile, by the name it had: the product reads it if that name holds
    factor: ast.expr  # a Python number, or a scalar kernel argument's name
    divides: bool
    code: ast.expr  # the scaling's own code: the fact is the value's only while it has it
    depth: int  # the indentation it was made at: a product in a loop entered since would
    # read the tile's later values (`scaled = rows * c; for ...: scaled @ y; rows += 1`)
    anchor: int  # len(lines) when it was made, and the line before: still the same lines
    last: object


def scaled_tile(builder, op_name: str, left: Value, right: Value, result: Value):
    """What `result` (left op right) is a scaling of, when it is a named load times / over a
    scalar (a float, where it is a number), or None."""
    pairs = {"Multiply": [(left, right), (right, left)], "Divide": [(left, right)]}
    for tile, scalar in pairs.get(op_name, []):
        loaded = tile.storage is not None and tile.rounds_to is None and tile.rank > 0
        loaded = loaded and result.dims == tile.dims
        if not loaded or not isinstance(tile.code, ast.Name):
            continue
        if builder.scope.get(tile.code.id) is not tile:
            continue
        factor = scalar_factor(builder, scalar)
        if isinstance(factor, ast.Constant) and not isinstance(factor.value, float):
            continue  # `x * 2`: an integer tile stays an integer in torch
        if factor is not None:
            lines = builder.lines
            last = lines[-1] if lines else None
            divides = op_name == "Divide"
            return ScaledTile(tile, factor, divides, result.code, builder.depth, len(lines), last)
    return None


def _fact(builder, value: Value) -> ScaledTile | None:
    """The value's scaling fact where it still holds: the value is the scaling itself or a
    name bound to it (not a view, cast or where of it), and neither the tile's name nor the
    scale was assigned since."""
    fact = value.scale_of
    if fact is None or value.dims != fact.tile.dims:
        return None
    named = isinstance(value.code, ast.Name) and builder.scope.get(value.code.id) is value
    if value.code is not fact.code and not named:
        return None
    return fact if _holds(builder, fact) else None


def _holds(builder, fact: ScaledTile) -> bool:
    """Whether the tile's name and the scale's still hold what they held, with no loop or
    branch entered or left since."""
    if not still_in_scope(builder, fact):
        return False
    return builder.scope.get(fact.tile.code.id) is fact.tile


def _small_enough(builder, fact: ScaledTile) -> ast.expr | None:
    """True (a constant) where |scale| <= 1 for a product (>= 1 for a quotient) is known, a
    constexpr's name where the launcher tests it, or None where it does not hold."""
    if isinstance(fact.factor, ast.Constant):
        size = abs(fact.factor.value)
        holds = size >= 1 if fact.divides else size <= 1
        return ast.Constant(value=True) if holds else None
    name = fact.factor.id
    host = builder.params[name].launch
    bound = f"abs({host}) >= 1" if fact.divides else f"abs({host}) <= 1"
    test = f"isinstance({host}, (int, float)) and {bound}"
    flag = next((f for f, launch in builder.constexprs.items() if launch == test), None)
    flag = flag or builder.constexpr(
        f"{name.upper()}_{'AT_LEAST' if fact.divides else 'AT_MOST'}_ONE", test
    )
    return ast.Name(id=flag)


def unscaled_factors(builder, left: Value, right: Value, acc: Value | None):
    """(left, right, fact) with the scaled factor replaced by its tile where the product may be
    scaled instead, and the fact (None: the factors as written)."""
    if acc is not None:
        return left, right, None
    facts = [_fact(builder, value) for value in (left, right)]
    if sum(f is not None for f in facts) != 1:
        return left, right, None
    index = 0 if facts[0] is not None else 1
    other = (left, right)[1 - index]
    if other.storage is None or other.rounds_to is not None:
        return left, right, None  # the other factor is no load: as written
    fact = facts[index]
    pair = [left, right]
    pair[index] = fact.tile
    return pair[0], pair[1], fact


def scaled_result(
    builder, unscaled: ast.expr, written: ast.expr, fact: ScaledTile, node=None
) -> tuple[ast.expr, Scaled | None]:
    """The product scaled, or the written form where the scale's size is not known small; and,
    where the product (`node`) is an assignment's whole value (`qk = bmm(q * c, k)`), what the
    result is a scaling of: the product then gets a name of its own (`qk_unscaled = tl.dot(q,
    k)`), so that a row max can be taken before the scaling (scaled_products.scaled_maximum).
    The product is computed whatever the flag; where the flag is false, only the written form
    reads it, and Triton's compiler drops it."""
    flag = _small_enough(builder, fact)
    if flag is None:
        return written, None
    scaling = None
    target = builder.direct_target
    if node is not None and builder.direct_value is node and isinstance(target, cst.Name):
        name = builder.names.fresh(f"{target.value}_unscaled")
        builder.emit(assign(name, unscaled), builder.source.line_of(node))
        unscaled = ast.Name(id=name)
        lines = builder.lines
        scaling = Scaled(
            name, fact.factor, fact.divides, len(lines), lines[-1] if lines else None,
            builder.depth, None, flag=None if isinstance(flag, ast.Constant) else flag,
        )  # fmt: skip
    operator = "/" if fact.divides else "*"
    scaled = expr(f"p {operator} c", p=unscaled, c=fact.factor)
    if isinstance(flag, ast.Constant):
        return scaled, scaling
    return expr("a if f else b", a=scaled, f=flag, b=written), scaling
