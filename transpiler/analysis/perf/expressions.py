"""Device expressions as the cost model sees them: shapes in, shapes out, FLOPs recorded."""

from __future__ import annotations

import inspect
import types
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import libcst as cst
import libcst.matchers as m
import torch

from ...compile.frontend import callables
from ...compile.lower.shape_values import is_empty_index
from ...compile.ops.composites import COMPOSITES_BY_NAME
from ...compile.ops.hl import HL, HL_BY_NAME
from .composite_costs import NORM_FLOPS, composite, norm
from .cost import Dim
from .values import Block, BlockSize, Group, Host, Tiles, broadcast, is_floating

if TYPE_CHECKING:
    from .walk import Walker

# hl accesses of target[index] (Calls.cost_memory): their arguments are read as a subscript's
MEMORY_COSTS = frozenset({"read", "write", "read_write"})
_TILE_SCALARS = {"begin", "end", "block_size", "id", "count"}
# hl names that run on the host (the hl table's "host" cost kind)
_HOST_LANGUAGE = {op.name for op in HL if op.cost == "host"}


class Expressions:
    """The walker's component: `ev(node)` gives a value and records the FLOPs it costs."""

    def __init__(self, w: Walker) -> None:
        self.w = w

    def ev(self, node: cst.BaseExpression) -> Any:
        if self.host_only(node):
            try:
                value = eval("(" + self.w.source.code(node) + ")", self.w.scope)  # noqa: S307
            except Exception:  # noqa: BLE001 - fall through to the device reading
                value = None
            else:
                if not isinstance(value, torch.Tensor) or isinstance(node, cst.Name):
                    return Host(value)
        method = getattr(self, "ev_" + type(node).__name__, None)
        if method is None:
            raise self.w.error(node, type(node).__name__)
        return method(node)

    def host_only(self, node: cst.BaseExpression) -> bool:
        """No device name in it and no hl call that makes a device value."""
        stack: list[cst.CSTNode] = [node]
        while stack:
            current = stack.pop()
            if isinstance(current, cst.Name) and current.value in self.w.env:
                return False
            if isinstance(current, cst.Call):
                qualified = self.w.aliases.qualified(current.func) or ""
                if qualified.startswith("helion.language.") and (
                    qualified.rsplit(".", 1)[1] not in _HOST_LANGUAGE
                ):
                    return False
            if isinstance(current, cst.Attribute):
                stack.append(current.value)
            elif isinstance(current, cst.Arg):
                stack.append(current.value)
            else:
                stack.extend(current.children)
        return True

    def ev_Name(self, node: cst.Name) -> Any:
        if node.value in self.w.env:
            return self.w.env[node.value]
        if node.value in self.w.scope:
            return Host(self.w.scope[node.value])
        raise self.w.error(node, f"the name {node.value!r} (unknown here)")

    def ev_Attribute(self, node: cst.Attribute) -> Any:
        base, attribute = self.ev(node.value), node.attr.value
        if isinstance(base, Tiles):
            return self.tile_attribute(base, attribute, node)
        if isinstance(base, Block):
            if attribute in ("T", "mT"):
                return Block(base.dims[:-2] + base.dims[-2:][::-1], base.floating, base.from_dot)
            if attribute == "dtype":
                return Host(None)
        elif isinstance(base, Group) and attribute in ("values", "indices"):
            return base.items[0 if attribute == "values" else 1]
        elif isinstance(base, Host):
            return Host(getattr(base.value, attribute))
        raise self.w.error(node, f"the attribute .{attribute}")

    def tile_attribute(self, base: Any, attribute: str, node: cst.CSTNode) -> Any:
        """`tile.index` (a block along the tile), `.block_size`, `.begin` / `.count` (scalars)."""
        if isinstance(base, Tiles) and len(base.keys) == 1:
            if attribute == "index":
                return Block((Dim(tile=base.keys[0]),), floating=False)
            if attribute == "block_size":
                return BlockSize(base.keys[0])
        if isinstance(base, Tiles) and attribute in _TILE_SCALARS:
            return Block(floating=False)
        raise self.w.error(node, f"the attribute .{attribute}")

    def ev_Subscript(self, node: cst.Subscript) -> Any:
        base = self.ev(node.value)
        if is_empty_index(node) and isinstance(base, Block):  # `v[()]`: the block itself
            return base
        if isinstance(base, Tiles) and len(node.slice) == 1:  # `tile[0]` of hl.tile([m, n])
            index = node.slice[0].slice
            position = self.ev(index.value) if isinstance(index, cst.Index) else None
            if isinstance(position, Host) and type(position.value) is int:
                return Tiles((base.keys[position.value],))
        if isinstance(base, Host) and isinstance(base.value, torch.Tensor):
            return self.w.indexing.load(node, base.value)
        if isinstance(base, Block):
            return self.w.indexing.view_index(node, base)
        if isinstance(base, Group) and len(node.slice) == 1:
            index = self.ev(node.slice[0].slice.value)
            if isinstance(index, Host) and isinstance(index.value, int):
                return base.items[index.value]
        raise self.w.error(node, "this subscript")

    def ev_BinaryOperation(self, node: cst.BinaryOperation) -> Any:
        left, right = self.ev(node.left), self.ev(node.right)
        return self.binary(node, type(node.operator).__name__, left, right)

    def binary(self, node: cst.CSTNode, operator: str, left: Any, right: Any) -> Any:
        if operator == "MatrixMultiply":
            return self.w.calls.dot(node, left, right)
        fused = operator in ("Add", "Subtract") and any(
            isinstance(v, Block) and v.from_dot for v in (left, right)
        )  # the add of a multiply-add: counted in the dot's 2 FLOPs per term
        result = "float" if operator == "Divide" else "same"
        return self.elementwise(node, (left, right), 0 if fused else 1, result)

    def ev_UnaryOperation(self, node: cst.UnaryOperation) -> Any:
        operator = type(node.operator).__name__
        value = self.ev(node.expression)
        if operator == "Not":
            return self.elementwise(node, (value,), 0, "bool")
        return self.elementwise(node, (value,), 1 if operator == "Minus" else 0, "same")

    def ev_Comparison(self, node: cst.Comparison) -> Any:
        operands = [self.ev(node.left)] + [self.ev(c.comparator) for c in node.comparisons]
        flops = len(node.comparisons) if any(is_floating(v) for v in operands) else 0
        return self.elementwise(node, tuple(operands), flops, "bool")

    def ev_BooleanOperation(self, node: cst.BooleanOperation) -> Any:
        return self.elementwise(node, (self.ev(node.left), self.ev(node.right)), 0, "bool")

    def ev_Tuple(self, node: cst.Tuple | cst.List) -> Group:
        return Group(tuple(self.ev(element.value) for element in node.elements))

    ev_List = ev_Tuple

    def ev_Call(self, node: cst.Call) -> Any:
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        qualified = self.w.aliases.qualified(node.func, set(self.w.env))
        if qualified is not None:
            namespace, _, name = qualified.rpartition(".")
            if namespace == "helion.language":
                if getattr(HL_BY_NAME.get(name), "cost", None) in MEMORY_COSTS:
                    return self.w.calls.cost_memory(node, name)
                operands = [self.ev(p) for p in positional]
                return self.w.calls.hl_operation(node, name, operands, keywords)
            if namespace == "torch.nn.functional" and name in COMPOSITES_BY_NAME:
                return composite(self.w, node, name)
            if namespace in ("torch.nn.functional", "torch.linalg") and name in NORM_FLOPS:
                return norm(self.w, node, name)
            if namespace in ("torch", "torch.nn.functional"):
                operands = [self.ev(p) for p in positional]
                return self.w.calls.operation(node, name, operands, keywords)
        if isinstance(node.func, cst.Attribute):
            receiver = self.ev(node.func.value)
            operands = [receiver] + [self.ev(p) for p in positional]
            return self.w.calls.operation(node, node.func.attr.value, operands, keywords)
        if isinstance(node.func, cst.Name) and node.func.value not in self.w.env:
            inlined = self.inlined_callable(node.func.value)
            if inlined is not None and len(inlined.params) == len(positional) and not keywords:
                return self.ev_inlined(inlined, [self.ev(p) for p in positional])
        raise self.w.error(node, "this call")

    def inlined_callable(self, name: str) -> Any:
        """A callable argument or module helper the kernel inlines (see transpiler.compile.frontend.callables)."""
        function = self.w.scope.get(name)
        if isinstance(function, types.FunctionType):
            try:
                found = callables.from_object(function)
            except callables.CallableSourceError:
                found = None
            if found is not None:
                closure = inspect.getclosurevars(function)
                return replace(found, closure_values={**closure.globals, **closure.nonlocals})
        for param in m.findall(
            self.w.source.module, m.Param(name=m.Name(name), default=m.Lambda())
        ):
            return callables.from_lambda_node(param.default, self.w.source.code(param.default))
        for definition in m.findall(self.w.source.module, m.FunctionDef(name=m.Name(name))):
            return callables.from_module_function(definition, self.w.source.code(definition))
        return None

    def ev_inlined(self, inlined: Any, operands: list) -> Any:
        """The callable's expression with its parameters bound to the call's values."""
        saved_env, saved_scope = self.w.env, self.w.scope
        self.w.env = dict(zip(inlined.params, operands))
        self.w.scope = {**self.w.scope, **inlined.closure_values}
        try:
            return self.ev(inlined.body)
        finally:
            self.w.env, self.w.scope = saved_env, saved_scope

    def elementwise(self, node: cst.CSTNode, operands: tuple, flops: float, result: str) -> Block:
        dims = broadcast(*(self.dims_of(node, v) for v in operands))
        if result == "float":
            floating = True
        elif result == "bool":
            floating = False
        else:
            floating = any(is_floating(v) for v in operands)
        if floating or result == "bool":
            self.w.record(flops, dims)
        return Block(dims, floating)

    def dims_of(self, node: cst.CSTNode, value: Any) -> tuple[Dim, ...]:
        if isinstance(value, Block):
            return value.dims
        if isinstance(value, BlockSize) or (
            isinstance(value, Host) and not isinstance(value.value, torch.Tensor)
        ):
            return ()
        raise self.w.error(node, "a whole host tensor or a tile used as a device value")
