"""The shape analysis' rules for torch views, casts, reductions and orderings (shapes.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from ..ops.table import REDUCTIONS_BY_NAME
from ..ops.table_orderings import ORDERING_OPS_BY_NAME
from .shape_values import (
    UNKNOWN,
    Block,
    Call,
    Dim,
    Items,
    Materialise,
    Tile,
    int_of,
    is_block_size,
    is_none_name,
    power_of_two,
    squeezed,
)

if TYPE_CHECKING:
    from .shapes import Walker


def same(w: Walker, c: Call) -> object:
    return Block(c.owner.dims)


def itself(w: Walker, c: Call) -> object:
    """`.contiguous()`: the same value, a view's `None`s still named (they may stand for a tile)."""
    return c.owner


def broadcast(w: Walker, c: Call) -> object:
    """An element-wise op of the table: every block operand meets the owner's dimensions."""
    result: object = c.owner
    for node in [*c.positional, *c.keywords.values()]:
        other = w.expr(node)
        if isinstance(other, Block) or other is UNKNOWN:
            result = w.meeting.broadcast(result, other)
    return result


def unsqueeze(w: Walker, c: Call) -> object:
    dim, rank = int_of(c.get(0, "dim")), len(c.owner.dims)
    if dim is None or not -rank - 1 <= dim <= rank:
        return UNKNOWN
    position = dim if dim >= 0 else rank + 1 + dim
    return Block((*c.owner.dims[:position], None, *c.owner.dims[position:]))


def squeeze(w: Walker, c: Call) -> object:
    """views.view_op: a size-1 dimension goes; a tile stays (a block of BLOCK lanes)."""
    dims = c.owner.dims
    dim = int_of(c.get(0, "dim"))
    if not dims:
        return c.owner
    if dim is None or not -len(dims) <= dim < len(dims):
        return UNKNOWN
    position = dim % len(dims)
    if dims[position] is None:
        return Block(dims[:position] + dims[position + 1 :])
    return c.owner if dims[position][0] == "tile" and not squeezed(dims[position]) else UNKNOWN


def expand_as(w: Walker, c: Call) -> object:
    other = c.get(0, "other")
    return UNKNOWN if other is None else w.meeting.broadcast(c.owner, w.expr(other))


def reshaped(w: Walker, c: Call) -> object:
    """view / reshape / expand: the shape written out; none of them keeps a squeezed tile."""
    elements = c.positional
    if len(elements) == 1 and isinstance(elements[0], (cst.List, cst.Tuple)):
        elements = [e.value for e in elements[0].elements]
    if not elements:
        return UNKNOWN
    shaped = inferred(w, c, elements)
    if isinstance(shaped, Block) and any(map(squeezed, (*c.owner.dims, *shaped.dims))):
        raise Materialise
    return shaped


def inferred(w: Walker, c: Call, elements: list) -> object:
    """The shape written out, each -1 the owner's dimension it stands for: expand's kept one
    (right-aligned), view / reshape's the one the others leave (lower/inferred_sizes.py)."""
    marked = [i for i, e in enumerate(elements) if int_of(e) == -1]
    if not marked:
        return allocation(w, cst.List([cst.Element(e) for e in elements]))
    parts = [None if int_of(e) == -1 else allocation(w, e) for e in elements]
    if not isinstance(c.owner, Block) or any(p is UNKNOWN for p in parts):
        return UNKNOWN
    owner = c.owner.dims
    if c.name == "expand":
        offset = len(elements) - len(owner)
        if marked[0] < offset:
            return UNKNOWN
        kept = {i: owner[i - offset] for i in marked}
    else:
        written = [d for p in parts if p is not None for d in p.dims if d is not None]
        own = [d for d in owner if d is not None]
        if len(marked) > 1 or len(own) - len(written) not in (0, 1):
            return UNKNOWN
        before = [d for p in parts[: marked[0]] if p is not None for d in p.dims if d is not None]
        left = own[len(before) : len(before) + len(own) - len(written)]
        kept = {marked[0]: left[0] if left else None}
    dims = [d for i, p in enumerate(parts) for d in ((kept[i],) if p is None else p.dims)]
    return Block(tuple(dims))


def expanded(w: Walker, c: Call) -> object:
    """expand: the shape written out; each dimension the owner keeps (not of size 1) meets the
    target's, right-aligned (views.check_expanded)."""
    shaped = reshaped(w, c)
    if isinstance(shaped, Block):
        for own, target in zip(reversed(c.owner.dims), reversed(shaped.dims)):
            if own is not None and target is not None:
                w.meeting.meet(own, target)
    return shaped


def flatten(w: Walker, c: Call) -> object:
    """Dimensions start..end as one of their lanes' product (views.flatten: a lanes axis,
    which meets no whole dimension)."""
    dims, rank = c.owner.dims, len(c.owner.dims)
    start_node, end_node = c.get(0, "start_dim"), c.get(1, "end_dim")
    start = 0 if start_node is None else int_of(start_node)
    end = -1 if end_node is None else int_of(end_node)  # (cst.Integer("-1") is no node)
    if rank == 0:
        return Block((None,))
    if start is None or end is None or not (-rank <= start < rank and -rank <= end < rank):
        return UNKNOWN
    start, end = start % rank, end % rank
    if start >= end:
        return c.owner if start == end else UNKNOWN
    if any(map(squeezed, dims)):
        raise Materialise
    merged = [d for d in dims[start : end + 1] if d is not None]
    axis = merged[0] if len(merged) == 1 else ("lanes", tuple(merged)) if merged else None
    return Block(dims[:start] + (axis,) + dims[end + 1 :])


def unflatten(w: Walker, c: Call) -> object:
    dim, sizes = int_of(c.get(0, "dim")), c.get(1, "sizes")
    rank = len(c.owner.dims)
    if dim is None or not -rank <= dim < rank or not isinstance(sizes, (cst.List, cst.Tuple)):
        return UNKNOWN
    if any(map(squeezed, c.owner.dims)):
        raise Materialise
    shaped = allocation(w, sizes)
    if not isinstance(shaped, Block):
        return UNKNOWN
    if any(map(squeezed, shaped.dims)):
        raise Materialise
    dim %= rank
    return Block(c.owner.dims[:dim] + shaped.dims + c.owner.dims[dim + 1 :])


def permute(w: Walker, c: Call) -> object:
    numbers = [int_of(p) for p in c.positional]
    if len(numbers) == 1 and isinstance(c.positional[0], (cst.List, cst.Tuple)):
        numbers = [int_of(e.value) for e in c.positional[0].elements]
    dims, rank = c.owner.dims, len(c.owner.dims)
    if None in numbers or any(not -rank <= n < rank for n in numbers):
        return UNKNOWN
    order = list(range(rank))
    if c.name == "transpose" and len(numbers) == 2:
        first, second = (n % rank for n in numbers)
        order[first], order[second] = order[second], order[first]
    elif c.name == "permute" and len(numbers) == rank:
        order = [n % rank for n in numbers]
    else:
        return UNKNOWN
    return Block(tuple(dims[i] for i in order))


def transposed(w: Walker, owner: Block) -> object:
    """`.T` / `.t()`: tl.trans of a 2-D block (no dimension to swap for a squeezed tile)."""
    if any(map(squeezed, owner.dims)):
        raise Materialise
    if len(owner.dims) < 2:
        return owner
    return Block(owner.dims[::-1]) if len(owner.dims) == 2 else UNKNOWN


def transpose_method(w: Walker, c: Call) -> object:
    return transposed(w, c.owner)


def reduction(w: Walker, owner: Block, dim_node, keep, op=None) -> object:
    """A reduction along `dim` (none: to a scalar; a tuple or list: along each of those); a
    softmax-like row keeps the shape."""
    kept = isinstance(keep, cst.Name) and keep.value == "True"
    if dim_node is None or is_none_name(dim_node):  # every dimension: keepdim keeps them as 1s
        if kept and any(squeezed(d) for d in owner.dims):
            raise Materialise
        return Block(())
    several = isinstance(dim_node, (cst.Tuple, cst.List))
    dims = [int_of(e.value) for e in dim_node.elements] if several else [int_of(dim_node)]
    rank = len(owner.dims)
    if not dims or any(d is None or not -rank <= d < rank for d in dims):
        return UNKNOWN
    positions = {d % rank for d in dims}
    for position in positions:
        reduced = owner.dims[position]
        if squeezed(reduced) or (
            reduced is None and all(d is None or squeezed(d) for d in owner.dims)
        ):
            raise Materialise  # no Triton dimension to reduce
    if op is not None and op.keeps_shape:
        return Block(owner.dims)
    if kept:
        return Block(tuple(None if i in positions else d for i, d in enumerate(owner.dims)))
    return Block(tuple(d for i, d in enumerate(owner.dims) if i not in positions))


def reduce(w: Walker, c: Call) -> object:
    """A reduction of the op table (torch.sum(x, 1), x.amax(dim=-1), hl.cumsum(x, 1)); a row
    with indices gives (values, indices) along a dim (torch.max(x, 1)); max / min of a second
    tensor is element-wise."""
    keep, op = c.keywords.get("keepdim"), REDUCTIONS_BY_NAME.get(c.name)
    other = c.get(0, "dim")
    second = w.expr(other) if op is not None and op.pairwise and other is not None else None
    if isinstance(second, Block) and second.dims:  # (a dim, `torch.max(x, 1)`, has none)
        return broadcast(w, c)  # torch.max(a, b) of two tensors: torch.maximum (torch_ops.py)
    result = reduction(w, c.owner, c.get(0, "dim"), keep, op)
    if op is not None and op.indices and c.get(0, "dim") is not None and isinstance(result, Block):
        return Items((result, result))
    return result


def var_mean(w: Walker, c: Call) -> object:
    """torch.var_mean(x, dim, keepdim=...) and torch.aminmax(x, dim=, keepdim=): a pair, each
    the reduction's shape."""
    result = reduction(w, c.owner, c.get(0, "dim"), c.keywords.get("keepdim"))
    return Items((result, result)) if isinstance(result, Block) else UNKNOWN


def ordering(w: Walker, c: Call) -> object:
    """sort / topk / flip / cummax ... along one whole dimension (its row of
    ops/table_orderings.py): a squeezed tile there has no lanes to order; the values keep their
    shape, topk's k lanes along it."""
    op = ORDERING_OPS_BY_NAME[c.name]
    node = c.get(op.dim, op.dim_keyword) if op.dim is not None else None
    if isinstance(node, (cst.List, cst.Tuple)) and len(node.elements) == 1:
        node = node.elements[0].value  # flip's dims=[d]
    dim = op.dim_default if node is None else int_of(node)
    rank = len(c.owner.dims)
    if dim is None or not -rank <= dim < rank:
        return UNKNOWN
    dims = list(c.owner.dims)
    if squeezed(dims[dim % rank]):
        raise Materialise
    if op.form == "top":
        k = int_of(c.get(0, "k"))
        if k is None:
            return UNKNOWN
        dims[dim % rank] = ("sized", k)
    values = Block(tuple(dims))
    return Items((values, values)) if op.result.startswith("(") else values


def allocate_new(w: Walker, c: Call) -> object:
    """x.new_zeros(size), x.new_full(size, v): a block of the shape written out."""
    shape = c.get(0, "size")
    return UNKNOWN if shape is None else allocation(w, shape)


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
        if isinstance(element, cst.Attribute) and element.attr.value == "block_size":
            value = w.expr(element.value)  # tile.block_size: that tile's lanes, as lowering
            if not isinstance(value, Tile):
                return UNKNOWN
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
