"""One lane of a row recomputed from its own load: `torch.gather(row, 1, labels[:, None])` of an
element-wise function of `x[tile, :]` as one load of `x[tile, label]`, not a sum over the row."""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass

from ..emit.codegen import expr, render, stmt
from .reduction_loops import elementwise_calls
from .values import Axis, Value


class _NotElementwise(Exception):
    """The value is not an element-wise function of loads along the axis: no lane load."""


@dataclass(frozen=True)
class _Definition:
    position: int  # index in the kernel's lines
    value: ast.expr  # the assigned expression
    depth: int


def lane_load(builder, value: Value, index: Value, axis: Axis, node) -> ast.expr | None:
    """`value` at the lane `index` names along `axis` (one index per row, the index's shape),
    recomputed from the lines that made it with the axis's offsets replaced by the index:
    each load along the row becomes one load per row, masked to the row. None when some line
    on the way is not element-wise (a reduction, a reshape, a loop-carried name)."""
    definitions = _definitions(builder)
    lane = ast.Name(id=builder.names.fresh(axis.offsets.replace("offs_", "lane_", 1)))
    guard = expr("(lane_ >= 0) & (lane_ < end_)", lane_=lane, end_=copy.deepcopy(axis.end))
    rank = value.triton_rank
    rebuilt = _Rebuild(definitions, axis, lane, guard, rank, len(builder.lines))
    try:
        code = rebuilt.visit(copy.deepcopy(value.code))
    except _NotElementwise:
        return None
    if not rebuilt.loads or {axis.offsets, axis.mask, axis.block} & _names(code):
        return None
    builder.emit(stmt("lane_ = (index_).to(INDEX_DTYPE)", lane_=lane, index_=index.code),
                 builder.source.line_of(node))  # fmt: skip
    return code


def _definitions(builder) -> dict[str, list[_Definition]]:
    """Each name's assignments among the program's lines (`name = ...`), in order; names
    assigned any other way (`acc += x`, a tuple, a for target) map to an empty list."""
    found: dict[str, list[_Definition]] = {}
    for position, line in enumerate(builder.lines):
        text = line.text.strip()
        if not text or text.startswith("#") or text.endswith(":"):
            if text.startswith("for ") and " in " in text:
                for name in _names(ast.parse(text + " pass").body[0].target):
                    found[name] = []
            continue
        try:
            statement = ast.parse(text).body[0]
        except SyntaxError:
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                found.setdefault(target.id, []).append(
                    _Definition(position, statement.value, line.depth)
                )
                continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                found[node.id] = []
        if isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            found[statement.target.id] = []
    return found


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _Rebuild(ast.NodeTransformer):
    """The expression with every name along the axis replaced by its definition at one lane."""

    def __init__(self, definitions, axis: Axis, lane, guard, rank: int, before: int) -> None:
        self.definitions = definitions
        self.axis = axis
        self.lane, self.guard, self.rank = lane, guard, rank
        self.before = [before]  # the position each name is read at (nested definitions)
        self.allowed = elementwise_calls()
        self.loads = 0
        self.along: dict[str, bool] = {}
        self.lanes = [False]  # inside the definition of the axis's own 1-D lanes (its mask)

    def _definition(self, name: str) -> _Definition | None:
        earlier = [d for d in self.definitions.get(name, ()) if d.position < self.before[-1]]
        if name in self.definitions and not self.definitions[name]:
            raise _NotElementwise(name)  # assigned in a way this does not follow
        return earlier[-1] if earlier else None

    def _is_along(self, name: str) -> bool:
        """Whether the name's value varies along the axis (reads its offsets, directly or not)."""
        if name in (self.axis.offsets, self.axis.mask):
            return True
        if name not in self.along:
            self.along[name] = False  # (a cycle reads as not along)
            definition = self._definition(name)
            if definition is not None:
                self.before.append(definition.position)
                self.along[name] = any(self._is_along(n) for n in _names(definition.value))
                self.before.pop()
        return self.along[name]

    def _expand(self, name: str, lanes_only: bool) -> ast.expr:
        """The definition of an along-axis name, itself rebuilt (the offsets: the lane)."""
        if name == self.axis.offsets:
            return copy.deepcopy(self.lane)
        if name == self.axis.mask:
            return copy.deepcopy(self.guard)
        definition = self._definition(name)
        if definition is None:
            raise _NotElementwise(name)
        if lanes_only and name != self.axis.mask:
            raise _NotElementwise(name)  # a block of the value's rank, broadcast again
        self.before.append(definition.position)
        self.lanes.append(name in (self.axis.offsets, self.axis.mask))
        try:
            return self.visit(copy.deepcopy(definition.value))
        finally:
            self.before.pop()
            self.lanes.pop()

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        base = node.value
        if isinstance(base, ast.Name) and self._is_along(base.id):
            # `offs_v[None, :]`: the axis's 1-D lanes broadcast; the lane has the index's shape
            if base.id not in (self.axis.offsets, self.axis.mask):
                raise _NotElementwise(base.id)
            return self._expand(base.id, lanes_only=True)
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if not self._is_along(node.id):
            return node
        one_dimensional = node.id in (self.axis.offsets, self.axis.mask)
        if one_dimensional and self.rank != 1 and not self.lanes[-1]:
            raise _NotElementwise(node.id)  # 1-D lanes against a block of several dims
        return self._expand(node.id, lanes_only=False)

    def visit_Call(self, node: ast.Call) -> ast.expr:
        name = _call_name(node)
        reads_axis = any(self._is_along(n) for n in _names(node))
        if reads_axis and name not in self.allowed:
            raise _NotElementwise(name)
        loads = name == "tl.load" and reads_axis
        masked = any(k.arg == "mask" and self.axis.mask in _names(k.value) for k in node.keywords)
        node = self.generic_visit(node)
        if loads:
            self.loads += 1
            if not masked:  # (the axis's mask became the guard)
                _guard(node, self.guard)
        return node


def _guard(load: ast.Call, guard: ast.expr) -> None:
    """The load masked to the row: an index outside it reads `other` (0), as the sum did."""
    for keyword in load.keywords:
        if keyword.arg == "mask":
            keyword.value = expr(
                "(mask_) & (guard_)", mask_=keyword.value, guard_=copy.deepcopy(guard)
            )
            break
    else:
        load.keywords.append(ast.keyword(arg="mask", value=copy.deepcopy(guard)))
    if not any(k.arg == "other" for k in load.keywords):
        load.keywords.append(ast.keyword(arg="other", value=ast.Constant(value=0)))


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}" if func.value.id in ("tl", "triton") else func.attr
    if isinstance(func, ast.Attribute):
        return func.attr if not isinstance(func.value, ast.Attribute) else render(func)
    return func.id if isinstance(func, ast.Name) else ""
