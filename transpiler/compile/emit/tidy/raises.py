"""Launcher checks as a person writes them: `require(ok, message)` → `if <not ok>:` and a raise."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..lines import Line
from .statement import parse, render

_REQUIRE = m.Expr(value=m.Call(func=m.Name("require")))
_MESSAGE = m.Lambda(params=m.Parameters(params=[]))

# a comparison's operator → the one true exactly when it is false (the checks compare sizes and
# other integers, where `not a >= b` and `a < b` agree; `==` and `!=` agree on any values)
_NEGATED: dict[type[cst.BaseCompOp], type[cst.BaseCompOp]] = {
    cst.Equal: cst.NotEqual,
    cst.NotEqual: cst.Equal,
    cst.LessThan: cst.GreaterThanEqual,
    cst.GreaterThanEqual: cst.LessThan,
    cst.GreaterThan: cst.LessThanEqual,
    cst.LessThanEqual: cst.GreaterThan,
    cst.Is: cst.IsNot,
    cst.IsNot: cst.Is,
    cst.In: cst.NotIn,
    cst.NotIn: cst.In,
}

# `not a or b`: its negation reads `a and not b`, no `not` in front of a `not`
_OR_NOT = m.BooleanOperation(left=m.UnaryOperation(operator=m.Not()), operator=m.Or())

# what `not x` may stand in front of without parentheses
_ATOMS = (cst.Name, cst.Call, cst.Attribute, cst.Subscript)


def _comparisons(condition: cst.BaseExpression) -> list[cst.Comparison] | None:
    """The single comparisons `a == b and c == d` joins with `and` alone; None for another
    condition."""
    if isinstance(condition, cst.Comparison) and len(condition.comparisons) == 1:
        return [condition]
    if m.matches(condition, m.BooleanOperation(operator=m.And(), lpar=[])):
        left, right = _comparisons(condition.left), _comparisons(condition.right)
        return None if left is None or right is None else left + right
    return None


def _negated(condition: cst.BaseExpression) -> cst.BaseExpression:
    """The condition that holds exactly when `condition` does not."""
    condition = condition.with_changes(lpar=[], rpar=[])
    tests = _comparisons(condition)
    if tests is not None and len(tests) > 1:  # `a == b and c == d` → `a != b or c != d`
        negated = [_negated(test) for test in tests]
        joined = negated[0]
        for test in negated[1:]:
            joined = cst.BooleanOperation(joined, cst.Or(), test)
        return joined
    if isinstance(condition, cst.UnaryOperation) and isinstance(condition.operator, cst.Not):
        return condition.expression.with_changes(lpar=[], rpar=[])  # the whole test of an `if`
    if m.matches(condition, _OR_NOT):  # `not (not a or b)` → `a and not b`
        left = _negated(condition.left)
        return cst.BooleanOperation(left, cst.And(), _negated(condition.right))
    if isinstance(condition, cst.Comparison) and len(condition.comparisons) == 1:
        (target,) = condition.comparisons
        operator = _NEGATED[type(target.operator)]()
        return condition.with_changes(comparisons=[target.with_changes(operator=operator)])
    if not isinstance(condition, _ATOMS):
        condition = condition.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.UnaryOperation(operator=cst.Not(), expression=condition)


def _as_raise(line: Line) -> list[Line] | None:
    """`require(ok, message[, error])` as an `if` and its raise; None for any other line."""
    node = parse(line.text)
    if not m.matches(node, _REQUIRE):
        return None
    args = node.value.args
    if not 2 <= len(args) <= 3 or any(a.keyword or a.star for a in args):
        return None
    message = args[1].value
    if m.matches(message, _MESSAGE):
        message = message.body
    error = render(args[2].value) if len(args) == 3 else "RuntimeError"
    return [
        Line(line.depth, f"if {render(_negated(args[0].value))}:", line.source_line),
        Line(line.depth + 1, f"raise {error}({render(message)})", line.source_line),
    ]


def checks_as_raises(lines: list[Line]) -> list[Line]:
    """Each `require(ok, message)` line as `if <not ok>:` and `raise RuntimeError(message)`
    (the error `require` was given, if any): plain Python, no helper to look up."""
    out = []
    for line in lines:
        out.extend(_as_raise(line) or [line])
    return out


def _check_at(lines: list[Line], index: int) -> str | None:
    """The condition of the `if <condition>:` whose only statement is a raise at `index`."""
    first = lines[index]
    if not (first.text.startswith("if ") and first.text.endswith(":")):
        return None
    body = lines[index + 1] if index + 1 < len(lines) else None
    after = lines[index + 2] if index + 2 < len(lines) else None
    if body is None or body.depth != first.depth + 1 or not body.text.startswith("raise "):
        return None
    return first.text if after is None or after.depth <= first.depth else None


def repeated_raises(lines: list[Line]) -> list[Line]:
    """In a run of checks (`if <test>:` and a raise, nothing between them), a check whose test an
    earlier one of the run made: it cannot raise (the earlier did where it would), dropped."""
    out: list[Line] = []
    seen: set[tuple[int, str]] = set()  # (depth, `if` line) of the run's checks
    index = 0
    while index < len(lines):
        line = lines[index]
        test = _check_at(lines, index)
        if test is None:
            seen.clear()
            out.append(line)
            index += 1
            continue
        if (line.depth, test) not in seen:
            seen.add((line.depth, test))
            out += lines[index : index + 2]
        index += 2
    return out
