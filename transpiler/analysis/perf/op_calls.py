"""Calls on device values: the op table's element-wise ops and reductions, dots, casts, views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import libcst as cst
import torch

from ...compile.frontend.signatures import HL_SIGNATURES
from ...compile.lower.shape_values import EMPTY_INDEX
from ...compile.ops.hl import HL_BY_NAME
from ...compile.ops.products import TORCH_PRODUCTS_BY_NAME
from ...compile.ops.table import CAST_METHODS, ELEMENTWISE_BY_NAME, REDUCTIONS_BY_NAME
from ...compile.ops.table_orderings import ORDERING_OPS_BY_NAME
from .cost import Dim
from .expressions import MEMORY_COSTS
from .values import Block, BlockSize, Group, Host, Tiles, broadcast, dtype_floating, is_floating

if TYPE_CHECKING:
    from .walk import Walker

ALLOCATE_LIKE = {"zeros_like", "ones_like", "empty_like", "full_like"}
# hl cost kinds (ops/hl.py COSTS) → the method that costs a call ("host" calls make no device value)
HL_COSTS = {
    "allocate": "cost_allocate",
    "lanes": "cost_lanes",
    "random": "cost_random",
    "random_int": "cost_random",
    "product": "cost_product",
    "reduction": "reduction",
    "free": "cost_free",
    "tile_attribute": "cost_tile_attribute",
    **dict.fromkeys(MEMORY_COSTS, "cost_memory"),
}
LOOP_COSTS = frozenset({"tiles", "indices"})  # walked as loops (walk.py), not as values

VIEWS = {"unsqueeze", "squeeze", "t", "transpose", "permute", "contiguous"}


class Calls:
    """The walker's component: what a call on device values gives and costs."""

    def __init__(self, w: Walker) -> None:
        self.w = w

    def operation(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Any:
        if name in ("max", "min") and len(operands) == 2 and isinstance(operands[1], Block):
            name = {"max": "maximum", "min": "minimum"}[name]
        if name in TORCH_PRODUCTS_BY_NAME:
            return self.dot_call(node, name, operands, keywords)
        if name in ELEMENTWISE_BY_NAME:
            extra = [
                self.w.expressions.ev(v)
                for k, v in keywords.items()
                if k in ("min", "max", "other")
            ]
            op = ELEMENTWISE_BY_NAME[name]
            return self.w.expressions.elementwise(
                node, tuple(operands + extra), op.flops, op.result
            )
        if name in REDUCTIONS_BY_NAME:
            return self.reduction(node, name, operands, keywords)
        if name in ORDERING_OPS_BY_NAME:  # the row's shape (topk's k lanes counted as the row's)
            op, value = ORDERING_OPS_BY_NAME[name], operands[0]
            dims = self.w.expressions.dims_of(node, value)
            self.w.record(op.flops, dims)
            values = Block(dims, is_floating(value) or name == "logcumsumexp")
            if op.result.startswith("("):
                return Group((values, Block(dims, floating=False)))
            return Block(dims, floating=False) if op.result == "indices" else values
        if name in CAST_METHODS or name in ("to", "type"):
            value = operands[0]
            target = operands[1].value if len(operands) > 1 else CAST_METHODS.get(name)
            if "dtype" in keywords:
                target = self.w.expressions.ev(keywords["dtype"]).value
            floating = dtype_floating(target, is_floating(value))
            return Block(
                self.w.expressions.dims_of(node, value), floating, getattr(value, "from_dot", False)
            )
        if name in VIEWS:
            return self.view_call(node, name, operands)
        if name in ALLOCATE_LIKE:
            dtype = self.w.expressions.ev(keywords["dtype"]).value if "dtype" in keywords else None
            return Block(self.w.expressions.dims_of(node, operands[0]), dtype_floating(dtype, True))
        raise self.w.error(node, f"{name}()")

    def hl_operation(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Any:
        """An hl call, costed by its row's cost kind (ops/hl.py); unmodelled kinds say so."""
        op = HL_BY_NAME.get(name)
        method = HL_COSTS.get(op.cost) if op is not None and op.cost is not None else None
        if method is None:
            raise self.w.error(node, f"{name}()")
        return getattr(self, method)(node, name, operands, keywords)

    def cost_tile_attribute(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Any:
        """`hl.tile_begin(tile)` is `tile.begin`: what the attribute gives."""
        tile = operands[0] if operands else self.w.expressions.ev(keywords["tile"])
        return self.w.expressions.tile_attribute(tile, name.removeprefix("tile_"), node)

    def bound(self, name: str, operands: list, keywords: dict) -> dict[str, Any]:
        """An hl call's values by the parameter names of its row's signature."""
        values = dict(zip(HL_SIGNATURES[name].positional, operands))
        return values | {key: self.w.expressions.ev(value) for key, value in keywords.items()}

    def cost_allocate(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Block:
        bound = self.bound(name, operands, keywords)
        dtype = bound["dtype"].value if "dtype" in bound else torch.float32
        return Block(self.shape_dims(node, bound["shape"]), dtype_floating(dtype, True))

    def cost_lanes(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Block:
        return Block(self.shape_dims(node, Group(tuple(operands[-1:]))), floating=False)

    def cost_random(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Block:
        floating = HL_BY_NAME[name].cost == "random"  # "random_int": integers
        return Block(self.shape_dims(node, self.bound(name, operands, keywords)["shape"]), floating)

    def cost_product(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Block:
        bound = self.bound(name, operands, keywords)
        return self.dot(node, bound["mat1"], bound["mat2"], bound.get("acc"))

    def cost_memory(self, node: cst.Call, name: str, *_: object) -> Any:
        """hl.load / hl.store / hl.atomic_*: the access `target[index]` as a subscript of the
        same index costs it (an atomic reads and writes it); the other arguments' work too."""
        signature = HL_SIGNATURES[name]
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        nodes = dict(zip(signature.positional, positional))
        nodes |= {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        target, index = nodes.get(signature.positional[0]), nodes.get("index")
        tensor = self.w.expressions.ev(target) if target is not None else None
        if not (isinstance(tensor, Host) and isinstance(tensor.value, torch.Tensor)) or not (
            isinstance(index, (cst.List, cst.Tuple))
            and all(not isinstance(e.value, cst.Call) for e in index.elements)  # slice(...)
        ):
            raise self.w.error(node, f"{name}() of this target or index")
        for key in [k for k in nodes if k not in (signature.positional[0], "index")]:
            self.w.expressions.ev(nodes[key])  # the stored value, extra_mask, ...: their own work
        subscript = cst.Subscript(
            value=target,
            slice=[cst.SubscriptElement(slice=cst.Index(e.value)) for e in index.elements]
            or EMPTY_INDEX,
        )
        kind = HL_BY_NAME[name].cost
        values = self.w.indexing.load(subscript, tensor.value) if kind != "write" else Host(None)
        if kind != "read":
            self.w.indexing.access(subscript, tensor.value, store=True)
        return values

    def cost_free(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Host:
        return Host(None)

    def reduction(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Any:
        op = REDUCTIONS_BY_NAME[name]
        value = operands[0]
        dims = self.w.expressions.dims_of(node, value)
        dim = self.w.expressions.ev(keywords["dim"]).value if "dim" in keywords else None
        if dim is None and len(operands) > 1:
            dim = operands[1].value
        if isinstance(dim, bool):  # x.var(False): torch's var(unbiased) overload, every dim
            dim = None
        keepdim = (
            bool(self.w.expressions.ev(keywords["keepdim"]).value)
            if "keepdim" in keywords
            else False
        )
        self.w.record(op.flops if is_floating(value) else 0, dims)
        floating = is_floating(value) and not name.startswith("arg")
        if op.keeps_shape:
            return Block(dims, floating)
        if dim is None:
            return Block((), floating)
        axes = {d % len(dims) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        reduced = tuple(
            Dim() if i in axes else d for i, d in enumerate(dims) if keepdim or i not in axes
        )
        result = Block(reduced, floating)
        if op.indices:  # torch.max(x, dim): the values and their indices
            return Group((result, Block(reduced, floating=False)))
        return result

    def dot_call(self, node: cst.Call, name: str, operands: list, keywords: dict) -> Block:
        row = TORCH_PRODUCTS_BY_NAME[name]  # ops/products.py: where its operands stand
        accumulator = operands[row.accumulator] if row.accumulator is not None else None
        first, second = row.factors
        return self.dot(node, operands[first], operands[second], accumulator)

    def dot(self, node: cst.CSTNode, a: Any, b: Any, accumulator: Any = None) -> Block:
        """[..., M, K] @ [..., K, N]: 2·M·N·K FLOPs; an accumulator's add is the FMA's."""
        left, right = self.w.expressions.dims_of(node, a), self.w.expressions.dims_of(node, b)
        if len(left) < 2 or len(right) < 2:
            raise self.w.error(node, "a matrix product of fewer than two dimensions")
        out = broadcast(left[:-2], right[:-2]) + (left[-2], right[-1])
        self.w.record(2, out + (left[-1],), dot=True)
        if accumulator is not None:
            out = broadcast(self.w.expressions.dims_of(node, accumulator), out)
        return Block(out, True, from_dot=True)

    def view_call(self, node: cst.Call, name: str, operands: list) -> Block:
        value = operands[0]
        dims = list(self.w.expressions.dims_of(node, value))
        numbers = [o.value for o in operands[1:] if isinstance(o, Host)]
        if name == "unsqueeze":
            dims.insert(numbers[0] % (len(dims) + 1), Dim())
        elif name == "squeeze":
            del dims[numbers[0] % len(dims)]
        elif name in ("t", "transpose"):
            a, b = numbers if numbers else (0, 1)
            dims[a], dims[b] = dims[b], dims[a]
        elif name == "permute":
            order = numbers[0] if len(numbers) == 1 else numbers
            dims = [dims[i] for i in order]
        return Block(tuple(dims), value.floating, getattr(value, "from_dot", False))

    def shape_dims(self, node: cst.CSTNode, shape: Any) -> tuple[Dim, ...]:
        """`[tile_m, tile_n]`, `[tile_m, 64]`, `tile.block_size` → dims of hl.zeros / hl.full."""
        items = shape.items if isinstance(shape, Group) else (shape,)
        dims: list[Dim] = []
        for item in items:
            if isinstance(item, Tiles):
                dims.extend(Dim(tile=key) for key in item.keys)
            elif isinstance(item, BlockSize):
                dims.append(Dim(block_of=item.key))
            elif isinstance(item, Host) and isinstance(item.value, (list, tuple, torch.Size)):
                dims.extend(Dim(int(size)) for size in item.value)
            elif isinstance(item, Host):
                dims.append(Dim(int(item.value)))
            else:
                raise self.w.error(node, "this shape")
        return tuple(dims)
