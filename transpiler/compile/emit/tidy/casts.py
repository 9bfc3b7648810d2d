"""Casts that cancel or repeat: `tl.store(p, upcast_half(v))` stores `v` (the store casts to the
pointer's type; `tl.cast(upcast_half(v), t)` too), `upcast_half(upcast_half(v))` and `v.to(t).to(t)`
cast once."""

from __future__ import annotations

import re

import libcst as cst
import libcst.matchers as m

from ..lines import Line
from .statement import STORE, parse, render, rewrite_lines

_UPCAST = m.Call(func=m.Name("upcast_half"), args=[m.Arg(keyword=None)])
_CAST_UPCAST = m.Call(
    func=m.Attribute(value=m.Name("tl"), attr=m.Name("cast")), args=[m.Arg(value=_UPCAST), m.Arg()]
)


def _bare(expression: cst.BaseExpression) -> cst.BaseExpression:
    """An expression without the parentheses it needed as a call's receiver."""
    if isinstance(expression, (cst.Call, cst.Attribute, cst.Name, cst.Subscript)):
        return expression.with_changes(lpar=[], rpar=[])
    return expression


class _StoreCasts(cst.CSTTransformer):
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if not m.matches(updated, STORE) or len(updated.args) < 2:
            return updated
        value = updated.args[1]
        if value.keyword is None and m.matches(value.value, _UPCAST):
            inner = _bare(value.value.args[0].value)
            args = [*updated.args[:1], value.with_changes(value=inner), *updated.args[2:]]
            return updated.with_changes(args=args)
        if value.keyword is None and m.matches(value.value, _CAST_UPCAST):  # cast the same after
            stored = value.value
            inner = _bare(stored.args[0].value.args[0].value)
            cast = stored.with_changes(
                args=[stored.args[0].with_changes(value=inner), stored.args[1]]
            )
            return updated.with_changes(
                args=[updated.args[0], value.with_changes(value=cast), *updated.args[2:]]
            )
        return updated


def _same_cast(outer: cst.Call, inner: cst.BaseExpression) -> bool:
    """`inner.to(t)` wrapped in `.to(t)` with the same single argument."""
    return (
        m.matches(outer.func, m.Attribute(attr=m.Name("to")))
        and isinstance(inner, cst.Call)
        and m.matches(inner.func, m.Attribute(attr=m.Name("to")))
        and len(outer.args) == len(inner.args) == 1
        and outer.args[0].deep_equals(inner.args[0])
    )


class _RepeatedCasts(cst.CSTTransformer):
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if m.matches(updated, _UPCAST) and m.matches(updated.args[0].value, _UPCAST):
            return updated.args[0].value
        if isinstance(updated.func, cst.Attribute) and _same_cast(updated, updated.func.value):
            return updated.func.value
        return updated


def cancel_store_casts(lines: list[Line]) -> list[Line]:
    return rewrite_lines(
        lines, lambda text: "tl.store(" in text and "upcast_half(" in text, _StoreCasts
    )


def repeated_casts(lines: list[Line]) -> list[Line]:
    def wanted(text: str) -> bool:
        return text.count("upcast_half(") > 1 or text.count(".to(") > 1

    return rewrite_lines(lines, wanted, _RepeatedCasts)


_UPCAST_ASSIGN = m.Assign(targets=[m.AssignTarget(target=m.Name())], value=_UPCAST)


class _Uses(cst.CSTVisitor):
    """How often a statement reads `name`, and how often as `name.to(...)`."""

    def __init__(self, name: str) -> None:
        self.name, self.all, self.cast = name, 0, 0

    def visit_Name(self, node: cst.Name) -> None:
        self.all += node.value == self.name

    def visit_Call(self, node: cst.Call) -> None:
        to = m.Attribute(value=m.Name(self.name), attr=m.Name("to"))
        self.cast += m.matches(node.func, to)


def _only_cast(lines: list[Line], index: int, name: str) -> bool:
    """Every other line that names `name` reads it only as `name.to(...)`."""
    word = re.compile(rf"\b{name}\b")
    for other, line in enumerate(lines):
        if other == index or not word.search(line.text) or line.text.lstrip().startswith("#"):
            continue
        node = parse(line.text)
        if node is None:  # a loop or `if` header that names it: left as it is
            return False
        uses = _Uses(name)
        node.visit(uses)
        if uses.all != uses.cast:
            return False
    return True


def upcast_then_cast(lines: list[Line]) -> list[Line]:
    """`v = upcast_half(load)` read only as `v.to(t)`: the upcast changes nothing there (a half
    value is exact in float32), so `v = load`."""
    out = list(lines)
    for index, line in enumerate(lines):
        if (
            not line.text.lstrip().startswith(("upcast_half", "#"))
            and "= upcast_half(" in line.text
        ):
            node = parse(line.text)
            if m.matches(node, _UPCAST_ASSIGN):
                name = node.targets[0].target.value
                if _only_cast(lines, index, name):
                    value = node.value.args[0].value
                    out[index] = Line(line.depth, f"{name} = {render(value)}", line.source_line)
    return out
