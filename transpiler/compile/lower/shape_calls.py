"""The shape analysis' calls (shapes.py): torch and hl calls, methods, products, helpers inlined."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..frontend.callables import InlineCallable
from ..ops.table import ELEMENTWISE_BY_NAME, REDUCTIONS_BY_NAME
from .shape_values import (
    UNKNOWN,
    Block,
    Dim,
    Items,
    Materialise,
    Tile,
    int_of,
    is_block_size,
    power_of_two,
    squeezed,
)

if TYPE_CHECKING:
    from .shapes import Walker

PRESERVING = {"to", "float", "half", "bfloat16", "contiguous", "clone", "type_as", "detach"}
PRESERVING |= {"full_like", "zeros_like", "ones_like", "empty_like"}
NEW = {"new_zeros", "new_ones", "new_full", "new_empty"}  # blocks of a shape written out
MATRIX = {"matmul", "mm", "bmm", "dot"}  # torch.matmul / mm / bmm, hl.dot
ADDED_PRODUCT = {"baddbmm", "addmm"}  # acc + a @ b


def call(w: Walker, node: cst.Call) -> object:
    func = node.func
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
    qualified = w.qualified(func)
    if qualified is not None and qualified.startswith("helion.language."):
        return language(w, qualified.removeprefix("helion.language."), positional, keywords)
    if qualified is not None and qualified.startswith("torch."):
        name = qualified.rsplit(".", 1)[-1]
        return torch_call(w, name, [w.expr(p) for p in positional], positional, keywords)
    if qualified == "typing.cast" and len(positional) == 2:
        return w.expr(positional[1])
    if isinstance(func, cst.Name) and func.value not in w.scope:
        helper = w.helpers.get(func.value)
        if helper is not None:
            return inline(w, helper, [w.expr(p) for p in positional])
        given = w.callables.get(func.value)
        if isinstance(given, InlineCallable):
            return inline_callable(w, given, [w.expr(p) for p in positional])
    if isinstance(func, cst.Name) and func.value in ("float", "int", "min", "max", "abs"):
        result: object = Block(())
        for value in map(w.expr, positional):
            result = w.broadcast(result, value)
        return result
    if isinstance(func, cst.Attribute) and func.attr.value in NEW:  # x.new_zeros(shape)
        shape = positional[0] if positional else keywords.get("size")
        return UNKNOWN if shape is None else allocation(w, shape)
    if isinstance(func, cst.Attribute):
        owner = w.expr(func.value)
        if not isinstance(owner, Block):
            return UNKNOWN
        return method(w, owner, func.attr.value, positional, keywords)
    return UNKNOWN


def language(w: Walker, name: str, positional: list, keywords: dict) -> object:
    if name in ("zeros", "full") and positional:
        return allocation(w, positional[0])
    if name == "arange" and len(positional) == 1:  # hl.arange(tile.block_size): its lanes
        end = positional[0]
        if isinstance(end, cst.Attribute) and end.attr.value == "block_size":
            tile = w.expr(end.value)
            if isinstance(tile, Tile):
                return Block((("tile", tile.label, tile.squeezed),))
        return UNKNOWN
    if name == "split" and positional:
        value = w.expr(positional[0])
        if not isinstance(value, Block) or not value.dims or value.dims[-1] is None:
            return UNKNOWN
        w.meet(("sized", 2), value.dims[-1])
        half = Block(value.dims[:-1])
        return Items((half, half))
    if name == "join" and len(positional) == 2:
        value = w.broadcast(w.expr(positional[0]), w.expr(positional[1]))
        return Block((*value.dims, ("sized", 2))) if isinstance(value, Block) else UNKNOWN
    if name in ("reduce", "associative_scan") and len(positional) >= 2:
        dim = keywords.get("dim", positional[2] if len(positional) > 2 else None)
        keep = keywords.get("keep_dims")
        return combine(w, name, w.expr(positional[1]), dim, keep)
    if name == "dot" and len(positional) >= 2:
        result = product(w, w.expr(positional[0]), w.expr(positional[1]))
        acc = keywords.get("acc", positional[2] if len(positional) > 2 else None)
        return result if acc is None else w.broadcast(result, w.expr(acc))
    return UNKNOWN


def torch_call(w: Walker, name: str, values: list, positional: list, keywords: dict) -> object:
    if name in MATRIX and len(values) == 2:
        return product(w, values[0], values[1])
    if name in ADDED_PRODUCT and len(values) == 3:
        return w.broadcast(product(w, values[1], values[2]), values[0])
    if values and isinstance(values[0], Block):
        return method(w, values[0], name, positional[1:], keywords, values[1:])
    return UNKNOWN


def method(
    w: Walker, owner: Block, name: str, positional: list, keywords: dict, values: list | None = None
) -> object:
    if name == "contiguous":
        return owner  # the same value: a view's `None`s stay named (values.Value.view_nones)
    if name in PRESERVING:
        return Block(owner.dims)
    if name == "unsqueeze" and len(positional) == 1:  # a new size-1 dimension at dim
        dim = int_of(positional[0])
        rank = len(owner.dims)
        if dim is None or not -rank - 1 <= dim <= rank:
            return UNKNOWN
        position = dim if dim >= 0 else rank + 1 + dim
        return Block((*owner.dims[:position], None, *owner.dims[position:]))
    if name == "expand_as" and positional:
        return w.broadcast(owner, w.expr(positional[0]))
    if name in ("transpose", "permute"):
        numbers = [int_of(p) for p in positional]
        if len(numbers) == 1 and isinstance(positional[0], (cst.List, cst.Tuple)):
            numbers = [int_of(e.value) for e in positional[0].elements]
        return permute(w, owner, name, numbers)
    if name in ("view", "reshape") and positional:
        elements = positional
        if len(elements) == 1 and isinstance(elements[0], (cst.List, cst.Tuple)):
            elements = [e.value for e in elements[0].elements]
        shaped = allocation(w, cst.List([cst.Element(e) for e in elements]))
        if isinstance(shaped, Block) and any(map(squeezed, (*owner.dims, *shaped.dims))):
            raise Materialise
        return shaped
    if name == "t":
        return transposed(w, owner)
    if name in REDUCTIONS_BY_NAME:
        return reduction(w, owner, positional, keywords, REDUCTIONS_BY_NAME[name])
    if name in ELEMENTWISE_BY_NAME:
        operands = values if values is not None else [w.expr(p) for p in positional]
        result: object = owner
        for other in operands:
            if isinstance(other, Block) or other is UNKNOWN:
                result = w.broadcast(result, other)
        return result
    return UNKNOWN


def combine(w: Walker, name: str, value: object, dim, keep) -> object:
    """hl.reduce / hl.associative_scan: a tuple's blocks meet position by position."""
    inputs = list(value.items) if isinstance(value, Items) else [value]
    if not all(isinstance(v, Block) for v in inputs):
        return UNKNOWN
    first = inputs[0]
    for other in inputs[1:]:
        if len(other.dims) == len(first.dims):
            for a, b in zip(first.dims, other.dims):
                if a is not None and b is not None:
                    w.meet(a, b)
    if name == "associative_scan":
        results = [Block(v.dims) for v in inputs]
    else:
        keywords = {"dim": dim} if dim is not None else {}
        if keep is not None:
            keywords["keepdim"] = keep
        results = [reduction(w, v, [], keywords) for v in inputs]
    return Items(tuple(results)) if isinstance(value, Items) else results[0]


def inline(w: Walker, function: cst.FunctionDef, values: list) -> object:
    """A module function called in the loop: its body walked with the arguments bound."""
    saved = w.scope
    params = [p.name.value for p in function.params.params]
    w.scope = {**saved, **dict(zip(params, values))}
    result: object = UNKNOWN
    try:
        for statement in function.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Return):
                        return UNKNOWN if small.value is None else w.expr(small.value)
                    w.small(small)
            else:
                w.statements([statement])
        return result
    finally:
        w.scope = saved


def inline_callable(w: Walker, given: InlineCallable, values: list) -> object:
    """A callable argument (`score_mod`): its statements, then its returned expression."""
    saved = w.scope
    w.scope = {**saved, **dict(zip(given.params, values))}
    try:
        w.statements(given.statements)
        return w.expr(given.body)
    finally:
        w.scope = saved


def reduction(w: Walker, owner: Block, positional: list, keywords: dict, op=None) -> object:
    dim_node = keywords.get("dim", positional[0] if positional else None)
    if dim_node is None:
        return Block(())
    dim = int_of(dim_node)
    if dim is None or not -len(owner.dims) <= dim < len(owner.dims):
        return UNKNOWN
    position = dim % len(owner.dims)
    keep = keywords.get("keepdim")
    kept = isinstance(keep, cst.Name) and keep.value == "True"
    reduced = owner.dims[position]
    if squeezed(reduced) or (reduced is None and all(d is None or squeezed(d) for d in owner.dims)):
        raise Materialise  # no Triton dimension to reduce
    if op is not None and op.keeps_shape:
        return Block(owner.dims)
    dims = owner.dims[:position] + ((None,) if kept else ()) + owner.dims[position + 1 :]
    return Block(dims)


def permute(w: Walker, owner: Block, name: str, numbers: list) -> object:
    rank = len(owner.dims)
    if None in numbers or any(not -rank <= n < rank for n in numbers):
        return UNKNOWN
    order = list(range(rank))
    if name == "transpose" and len(numbers) == 2:
        first, second = (n % rank for n in numbers)
        order[first], order[second] = order[second], order[first]
    elif name == "permute" and len(numbers) == rank:
        order = [n % rank for n in numbers]
    else:
        return UNKNOWN
    return Block(tuple(owner.dims[i] for i in order))


def allocation(w: Walker, shape: cst.BaseExpression) -> object:
    """hl.zeros / hl.full / reshape shapes: tiles, host sizes, 1 and powers of two."""
    elements = (
        [e.value for e in shape.elements] if isinstance(shape, (cst.List, cst.Tuple)) else [shape]
    )
    dims: list[Dim | None] = []
    for element in elements:
        key = None if isinstance(element, cst.Integer) else host_size_key(w, element)
        if key is not None:
            dims.append(("whole", key))
            continue
        value = w.expr(element)
        if isinstance(value, Tile):
            dims.append(("tile", value.label, value.squeezed))
        elif isinstance(value, Items) and all(isinstance(i, Tile) for i in value.items):
            dims.extend(("tile", i.label, i.squeezed) for i in value.items)
        elif isinstance(element, cst.Integer) and element.evaluated_value == 1:
            dims.append(None)
        elif isinstance(element, cst.Integer) and power_of_two(element.evaluated_value):
            dims.append(("sized", element.evaluated_value))
        else:
            return UNKNOWN
    return Block(tuple(dims))


def host_size_key(w: Walker, node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name) and (node.value in w.scope or node.value not in w.host.names):
        return None
    if is_block_size(node, w.host):
        return None
    return w.host.key_of(node)


def product(w: Walker, left: object, right: object) -> object:
    """`a @ b`: K meets K; batch dimensions broadcast; the result is (batch, M, N)."""
    if not (isinstance(left, Block) and isinstance(right, Block)):
        return UNKNOWN
    if len(left.dims) < 2 or len(right.dims) < 2 or len(left.dims) != len(right.dims):
        return UNKNOWN
    k_left, k_right = left.dims[-1], right.dims[-2]
    if k_left is None or k_right is None:
        return UNKNOWN
    if any(map(squeezed, (*left.dims[-2:], *right.dims[-2:]))):
        raise Materialise  # a squeezed tile as a matrix dimension
    w.meet(k_left, k_right)
    batch = w.broadcast(Block(left.dims[:-2]), Block(right.dims[:-2]))
    if not isinstance(batch, Block):
        return UNKNOWN
    return Block((*batch.dims, left.dims[-2], right.dims[-1]))


def transposed(w: Walker, owner: Block) -> object:
    """`.T` / `.t()`: tl.trans of a 2-D block (no dimension to swap for a squeezed tile)."""
    if any(map(squeezed, owner.dims)):
        raise Materialise
    if len(owner.dims) < 2:
        return owner
    return Block(owner.dims[::-1]) if len(owner.dims) == 2 else UNKNOWN
