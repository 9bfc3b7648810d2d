"""Generated code is built from small templates of Python AST nodes, never pasted strings."""

from __future__ import annotations

import ast
import keyword
from collections.abc import Iterable

Fill = ast.AST | str | int | float | bool | None


def _as_node(value: Fill) -> ast.AST:
    if isinstance(value, ast.AST):
        return value
    if isinstance(value, str):
        return ast.Name(id=value, ctx=ast.Load())
    return ast.Constant(value=value)


class _FillPlaceholders(ast.NodeTransformer):
    def __init__(self, fills: dict[str, Fill]) -> None:
        self.fills = fills

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in self.fills:
            return _as_node(self.fills[node.id])
        return node


def expr(template: str, **fills: Fill) -> ast.expr:
    """`expr("tl.exp(a)", a=node)`: the template parsed, each placeholder name replaced."""
    node = ast.parse(template, mode="eval").body
    return _FillPlaceholders(fills).visit(node) if fills else node


def stmt(template: str, **fills: Fill) -> ast.stmt:
    """One statement from a template, as `expr` does for expressions."""
    node = ast.parse(template).body[0]
    return _FillPlaceholders(fills).visit(node) if fills else node


def call(function: str, *args: Fill, **kwargs: Fill) -> ast.expr:
    """`function(args..., key=value...)`; keyword values of None are left out."""
    return ast.Call(
        func=expr(function),
        args=[_as_node(a) for a in args],
        keywords=[
            ast.keyword(arg=k, value=_as_node(v)) for k, v in kwargs.items() if v is not None
        ],
    )


def broadcast(name: str, position: int, rank: int) -> ast.expr:
    """`offs_n[:, None]`: a 1-D block placed at `position` of a `rank`-D block."""
    if rank <= 1:
        return ast.Name(id=name, ctx=ast.Load())
    parts = [ast.Slice() if i == position else ast.Constant(value=None) for i in range(rank)]
    return ast.Subscript(
        value=ast.Name(id=name, ctx=ast.Load()), slice=ast.Tuple(elts=parts, ctx=ast.Load())
    )


def conjunction(parts: Iterable[ast.expr]) -> ast.expr | None:
    """`a & b & c`, or None when there is nothing to join."""
    result: ast.expr | None = None
    for part in parts:
        result = part if result is None else ast.BinOp(left=result, op=ast.BitAnd(), right=part)
    return result


def total(parts: Iterable[ast.expr]) -> ast.expr | None:
    """`a + b + c`, or None when there is nothing to add."""
    result: ast.expr | None = None
    for part in parts:
        result = part if result is None else ast.BinOp(left=result, op=ast.Add(), right=part)
    return result


def render(node: ast.AST) -> str:
    """Source text of a node, parenthesised by Python's own rules, strings in double quotes."""
    text = ast.unparse(node)
    return text.replace("'", '"') if '"' not in text else text


class Names:
    """Hands out identifiers that collide neither with each other nor with the user's names."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def fresh(self, wanted: str) -> str:
        base = wanted if wanted.isidentifier() and not keyword.iskeyword(wanted) else "value"
        candidate, counter = base, 1
        while candidate in self.taken:
            candidate = f"{base}_{counter}"
            counter += 1
        self.taken.add(candidate)
        return candidate


def assign(name: str, value: ast.expr) -> ast.Assign:
    """`name = value`."""
    return ast.Assign(targets=[ast.Name(id=name)], value=value, lineno=0, type_comment=None)
