"""Arithmetic on bools as torch computes it, and the loaded tensors the launcher refuses as bool."""

from __future__ import annotations

import libcst as cst

from ..emit.codegen import expr
from ..frontend.errors import UnsupportedConstructError
from ..ops.table import BINARY_OPERATORS, BOOL_AS_FLOAT, BOOL_OPERATORS, BOOL_WITH_OTHERS
from .integer_promotion import int_range
from .values import BLOCK, Value

# A tensor's arithmetic facts for the launcher: the first line computing with its loaded values
# and the tensors whose being bool too makes that wrong (None: any bool is wrong there).
Noted = tuple[int, frozenset[str] | None]


def bool_template(builder, operator: str, operands: list[Value], node: cst.CSTNode) -> str | None:
    """The Triton template of `operator` ("Add", "Minus", ...) on operands that are all bools
    known while transpiling (comparisons, bool constants), where it is not the usual one
    (`a | b` for a sum); None otherwise. What torch refuses on bools is an error at the line."""
    if operator not in BOOL_OPERATORS or any(v.dtype != "bool" for v in operands):
        return None
    template = BOOL_OPERATORS[operator]
    if template is None:
        symbol = BINARY_OPERATORS[operator][0] if operator in BINARY_OPERATORS else "-"
        raise builder.source.error(
            UnsupportedConstructError,
            node,
            f"torch refuses `{symbol}` on bools",
            hint="convert them first, `(x > 0).int()`, or combine bools with & | ^ ~",
        )
    return template


def floated_bools(operator: str, operands: list[Value]) -> list[Value]:
    """The operands, each bool known while transpiling made float32 where `operator` needs it
    (`(x > 0) / (y > 0).int()`: torch divides in float, Triton refuses the i1 / int32)."""
    if operator not in BOOL_AS_FLOAT:
        return operands
    return [
        v.with_code(expr("a.to(tl.float32)", a=v.code), dtype="float")
        if v.dtype == "bool" and v.kind == BLOCK
        else v
        for v in operands
    ]


def bool_partners(
    builder, operator: str, operands: list[Value], index: int
) -> frozenset[str] | None:
    """Where a bool tensor loaded into `operands[index]` computes wrongly: None wherever it is
    bool (Triton's i1 arithmetic wraps: True + True is False); else the tensors the other
    operand is an unconverted load of, wrong only where one of them is bool too; empty where
    never (the other an integer or a float: Triton promotes the bool to its dtype, as torch)."""
    if operator not in BOOL_WITH_OTHERS or len(operands) != 2:
        return None
    other = operands[1 - index]
    if other.dtype in ("int", "float") or int_range(builder, other) is not None:
        return frozenset()  # (an int argument or a size: Triton's int32)
    if other.dtype is None and other.kind == BLOCK and other.loaded_from:
        return other.loaded_from
    return None


def merged(previous: Noted | None, line: int, partners: frozenset[str] | None) -> Noted:
    """One tensor's facts with a new note: refused outright once any note refuses it outright
    (at that note's line), else wherever one of the notes' partners is bool."""
    if previous is None:
        return (line, partners)
    if previous[1] is None:
        return previous
    if partners is None:
        return (line, None)
    return (previous[0], previous[1] | partners)


def unimplied(
    facts: dict[str, Noted], order: list[str], refused: frozenset[str] = frozenset()
) -> dict[str, Noted]:
    """The facts less those an earlier kept one implies, taken in the launcher's `order` of
    its tensors (the one its refusals fire in): `y` refused beside a bool `x` only, where `x`
    is refused beside a bool `y` (or outright), fails only where `x`'s check fails first (`x +
    y`: one entry, not one per operand); sorted by name. `refused`: tensors another check
    refuses outright as bools (a float product's factors, `factors=`), left out too."""
    kept: dict[str, Noted] = {}
    rank = {tensor: index for index, tensor in enumerate(order)}
    for tensor, (line, partners) in sorted(facts.items(), key=lambda f: rank.get(f[0], len(rank))):
        if tensor in refused or (
            partners
            and all(
                p in refused or (p in kept and (kept[p][1] is None or tensor in kept[p][1]))
                for p in partners
            )
        ):
            continue
        kept[tensor] = (line, partners)
    return dict(sorted(kept.items()))


def launch_fact(noted: Noted) -> str:
    """The launcher's spelling of a tensor's facts: its line, or `(line, "x", ...)` where it is
    refused only beside those tensors' bools."""
    line, partners = noted
    if partners is None:
        return str(line)
    return "(" + ", ".join([str(line), *(f'"{p}"' for p in sorted(partners))]) + ")"
