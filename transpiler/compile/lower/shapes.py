"""Before a device loop is lowered: the shape facts its plan needs, from the source and host facts."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m

from ..frontend.host import HostInfo
from ..frontend.kernels import Aliases
from ..frontend.source import Source
from ..ops.hl import HL_BY_NAME, LANES
from .memory import index_part
from .shape_calls import call
from .shape_stacks import product
from .shape_torch import transposed
from .shape_values import (
    COLON,
    UNKNOWN,
    Block,
    Dim,
    HostTensor,
    Items,
    Materialise,
    Tile,
    explicit_blocks,
    int_of,
    is_colon,
    is_none,
    is_none_name,
    squeezed,
    target_names,
)
from .slices import difference, written_length

SCALAR_ATTRIBUTES = {"id", "begin", "end", "block_size", "count"}  # a tile's ints
PAIR_FIELDS = {"values": 0, "indices": 1}  # torch's (values, indices) results, by name
HL = "helion.language."


@dataclass
class ShapeFacts:
    """What lowering's shapes will show: whole dimensions that meet (`unified`: pairs of size
    keys, as a run finds them), view `None`s that meet a squeezed tile (`none_tiles`), and
    whether block-size-1 tiles can go without a Triton dimension (`squeeze_units`)."""

    unified: set[tuple[str, str]] = field(default_factory=set)
    none_tiles: dict[tuple[int, int], str] = field(default_factory=dict)
    squeeze_units: bool = True


def shape_facts(
    source: Source,
    host: HostInfo,
    aliases: Aliases,
    loop: cst.For,
    block_sizes: list,
    callables: Mapping[str, object],
) -> ShapeFacts:
    """Walk the device loop's body, following shapes as lowering computes them; again with
    block-size-1 tiles given their dimension where one of them meets what needs it.
    `block_sizes`: the config's block sizes left for this loop's tiles; `callables`: callable
    parameters lowering inlines (frontend.callables.InlineCallable; None: not inlined)."""
    try:
        walker = Walker(source, host, aliases, block_sizes, squeeze=True)
        walker.callables = callables
        walker.loop(loop)
    except Materialise:
        walker = Walker(source, host, aliases, block_sizes, squeeze=False)
        walker.callables = callables
        walker.loop(loop)
        walker.facts.squeeze_units = False
    return walker.facts


class Walker:
    def __init__(
        self, source: Source, host: HostInfo, aliases: Aliases, block_sizes: list, squeeze: bool
    ) -> None:
        self.source, self.host, self.aliases = source, host, aliases
        self.block_sizes, self.squeeze = list(block_sizes), squeeze
        self.callables: Mapping[str, object] = {}
        self.subscripted: set[str] = set()
        self.facts = ShapeFacts()
        self.scope: dict[str, object] = {}
        self.helpers = {  # module functions a call in the loop inlines
            s.name.value: s for s in source.module.body if isinstance(s, cst.FunctionDef)
        }

    # -- statements ----------------------------------------------------------------------

    def loop(self, loop: cst.For) -> None:
        if (
            not self.scope
        ):  # the device loop itself: names it indexes (lowering's tensor_names_used)
            self.subscripted = {
                node.value.value
                for node in m.findall(loop, m.Subscript(value=m.Name()))
                if isinstance(node, cst.Subscript)
            }
        call = loop.iter
        qualified = self.qualified(call.func) if isinstance(call, cst.Call) else None
        row = HL_BY_NAME.get(qualified.removeprefix(HL)) if qualified else None
        names = target_names(loop.target)
        if row is not None and row.each == LANES and names:
            explicit = explicit_blocks(call) if row.loop == "device" else []
            outer = not self.scope
            for index, name in enumerate(names):
                block = explicit[index] if index < len(explicit) else None
                if block is None and outer and self.block_sizes:  # the config's, in loop order
                    chosen = self.block_sizes.pop(0)
                    block = cst.Integer(str(chosen)) if chosen is not None else None
                one = isinstance(block, cst.Integer) and block.evaluated_value == 1
                self.scope[name] = Tile(name, outer and one and self.squeeze)
        else:  # hl.grid's, static_range's or range's indices: scalars
            for name in names:
                self.scope[name] = Block(())
        before = dict(self.scope)
        self.statements(loop.body.body)
        for name, value in before.items():  # carried values keep their axes
            after = self.scope.get(name)
            if isinstance(value, Block) and isinstance(after, Block):
                if len(value.dims) == len(after.dims):
                    for a, b in zip(value.dims, after.dims):
                        if a is not None and b is not None:
                            self.meet(a, b)

    def statements(self, body) -> None:
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.small(small)
            elif isinstance(statement, cst.For):
                self.loop(statement)
            elif isinstance(statement, cst.If):
                known = self.known_test(statement.test)
                if known is not False:
                    self.statements(statement.body.body)
                if known is True:
                    continue
                if isinstance(statement.orelse, cst.If):
                    self.statements([statement.orelse])
                elif statement.orelse is not None:
                    self.statements(statement.orelse.body.body)
            elif isinstance(statement, cst.While):
                self.statements(statement.body.body)

    def small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            value = self.expr(small.value)
            for target in small.targets:
                self.bind(target.target, value)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.bind(small.target, self.expr(small.value))
        elif isinstance(small, cst.AugAssign):
            value = self.expr(small.value)
            if isinstance(small.target, cst.Name):
                current = self.scope.get(small.target.value)
                self.scope[small.target.value] = self.broadcast(current, value)
            else:
                self.bind(small.target, value)
        elif isinstance(small, cst.Expr):
            self.expr(small.value)

    def bind(self, target: cst.BaseExpression, value: object) -> None:
        if isinstance(target, cst.Name):
            self.scope[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            items = value.items if isinstance(value, Items) else ()
            for index, element in enumerate(target.elements):
                self.bind(element.value, items[index] if index < len(items) else UNKNOWN)
        elif isinstance(target, cst.Subscript):
            self.store(target, value)

    def store(self, target: cst.Subscript, value: object) -> None:
        """`out[tile, :] = value`: right-aligned, each dimension of the value meets the target's."""
        base = target.value
        if not (isinstance(base, cst.Name) and self.is_host_tensor(base.value)):
            return
        dims = self.access(base.value, [element.slice for element in target.slice])
        if dims is not None:
            self.meet_stored(value, dims)

    def meet_stored(self, value: object, dims: tuple) -> None:
        if not isinstance(value, Block) or not self.squeezable(value, Block(dims)):
            return
        for own, theirs in zip(reversed(value.dims), reversed(dims)):
            if own is not None and theirs is not None:
                self.meet(own, theirs)

    # -- expressions ---------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression) -> object:
        if isinstance(node, cst.Name):
            if node.value in self.scope:
                return self.scope[node.value]
            if node.value in ("True", "False"):
                return Block(())
            if self.is_host_tensor(node.value):
                return HostTensor(node.value)
            if node.value not in self.host.names:
                return UNKNOWN
            return Block(())  # a host scalar
        if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
            return Block(())
        if isinstance(node, cst.BinaryOperation):
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(node.operator, cst.MatrixMultiply):
                return product(self, left, right)
            return self.broadcast(left, right)
        if isinstance(node, cst.UnaryOperation):
            return self.expr(node.expression)
        if isinstance(node, cst.Comparison):
            value = self.expr(node.left)
            for target in node.comparisons:
                value = self.broadcast(value, self.expr(target.comparator))
            return value
        if isinstance(node, cst.BooleanOperation):
            return self.broadcast(self.expr(node.left), self.expr(node.right))
        if isinstance(node, cst.Subscript):
            return self.subscript(node)
        if isinstance(node, cst.Attribute):
            return self.attribute(node)
        if isinstance(node, cst.Call):
            return call(self, node)
        if isinstance(node, (cst.Tuple, cst.List)):
            return Items(tuple(self.expr(e.value) for e in node.elements))
        return UNKNOWN

    def attribute(self, node: cst.Attribute) -> object:
        owner = self.expr(node.value)
        name = node.attr.value
        if isinstance(owner, Tile) and name == "index":
            return Block((("tile", owner.label, owner.squeezed),))
        if isinstance(owner, Tile) and name in SCALAR_ATTRIBUTES:
            return Block(())
        if isinstance(owner, Block) and name == "T":
            return transposed(self, owner)
        if isinstance(owner, Items) and len(owner.items) == 2 and name in PAIR_FIELDS:
            return owner.items[PAIR_FIELDS[name]]  # torch.cummin(x, 0).indices
        return UNKNOWN

    def subscript(self, node: cst.Subscript) -> object:
        base = node.value
        parts = [element.slice for element in node.slice]
        if isinstance(base, cst.Name) and self.is_host_tensor(base.value):
            dims = self.access(base.value, parts)
            return UNKNOWN if dims is None else Block(dims, self.access_nones(node, dims))
        value = self.expr(base)
        if isinstance(value, HostTensor):
            dims = self.access(value.name, parts)
            return UNKNOWN if dims is None else Block(dims, self.access_nones(node, dims))
        if isinstance(value, Items) and len(parts) == 1:  # torch.topk(...)[0]: one of a pair
            position = int_of(parts[0].value) if isinstance(parts[0], cst.Index) else None
            if position is not None and -len(value.items) <= position < len(value.items):
                return value.items[position]
            return UNKNOWN
        if not isinstance(value, Block):
            return UNKNOWN
        dims, source, nones = [], 0, set()
        for element in node.slice:
            part = element.slice
            if is_colon(part):
                if source >= len(value.dims):
                    return UNKNOWN
                dims.append(value.dims[source])
                source += 1
            elif is_none(part):
                nones.add(len(dims))
                dims.append(None)
            else:
                return UNKNOWN
        dims.extend(value.dims[source:])
        return Block(tuple(dims), (id(node), frozenset(nones)))

    def access(self, tensor: str, parts: list[cst.BaseSlice]) -> tuple | None:
        """The dimensions of `tensor[index...]` (a load, or a store's target); blocks of
        indices (a gather) put their dimensions there, broadcast together where there are
        several (gather_pairs.py: paired as torch does), and need every tile's."""
        used = sum(1 for p in parts if not is_none(p))
        rank = self.host.rank(tensor)
        if rank is not None and used > rank:
            return None
        if rank is not None:
            parts = [*parts, *[COLON] * (rank - used)]
        dims: list[Dim | None] = []
        tensor_dim, gathers, gather_at = 0, [], 0
        for part in parts:
            if is_none(part):
                dims.append(None)
                continue
            if is_colon(part):
                key = self.host.size_key(tensor, tensor_dim)
                dims.append(None if key == "1" else ("whole", key))
            elif isinstance(part, cst.Slice):
                key = self.slice_key(tensor, tensor_dim, part)
                if key is None:
                    return None
                dims.append(("whole", key))
            else:
                index = self.expr(part.value)
                if isinstance(index, Tile):
                    dims.append(("tile", index.label, index.squeezed))
                elif isinstance(index, Block) and index.dims:
                    gather_at = gather_at if gathers else len(dims)
                    gathers.append(index)
                elif not isinstance(index, Block):
                    return None  # not followed
            tensor_dim += 1
        if gathers:
            combined: object = gathers[0]
            for index in gathers[1:]:
                combined = self.broadcast(combined, index)
            if not isinstance(combined, Block):
                return None
            dims[gather_at:gather_at] = combined.dims
            if any(map(squeezed, dims)):
                raise Materialise  # indexing.py: a gather places every dim (NotSqueezable)
        return tuple(dims)

    def listed_access(self, tensor: cst.BaseExpression | None, index) -> tuple | None:
        """hl.load / hl.store's `tensor, [index...]`, as memory.py makes it a subscript."""
        if not isinstance(index, (cst.List, cst.Tuple)):
            return None
        if isinstance(tensor, cst.Name) and self.is_host_tensor(tensor.value):
            name = tensor.value
        else:
            value = UNKNOWN if tensor is None else self.expr(tensor)
            if not isinstance(value, HostTensor):
                return None
            name = value.name
        return self.access(name, [index_part(e.value) for e in index.elements])

    def access_nones(self, node: cst.Subscript, dims: tuple) -> tuple[int, frozenset[int]]:
        places, position = set(), 0
        for element in node.slice:
            if is_none(element.slice):
                places.add(position)
            if not (isinstance(element.slice, cst.Index) and not is_none(element.slice)):
                position += 1
            elif isinstance(self.expr(element.slice.value), Tile):
                position += 1
        return id(node), frozenset(places)

    def slice_key(self, tensor: str, dim: int, part: cst.Slice) -> str | None:
        """`out[tile, n1:]`: the whole dimension of the slice's length (slices.py's key)."""
        if part.step is not None:
            return None
        lower = "0" if part.lower is None else self.host_text(part.lower)
        upper = (
            self.host.size_key(tensor, dim) if part.upper is None else self.host_text(part.upper)
        )
        if lower is None or upper is None or (lower.isdigit() and upper.isdigit()):
            return None
        length = written_length(self.source, part.lower, part.upper)
        if part.upper is not None and length is not None:
            text = self.host_text(length)
            if text is None or text.isdigit():
                return None  # begin:begin + 4: lanes of its own (slices.slice_axis)
        return difference(upper, lower)

    def host_text(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.BinaryOperation) and isinstance(
            node.operator, (cst.Add, cst.Subtract)
        ):
            left, right = self.host_text(node.left), self.host_text(node.right)
            if left is None or right is None:
                return None
            symbol = "+" if isinstance(node.operator, cst.Add) else "-"
            return ast.unparse(ast.parse(f"({left}) {symbol} ({right})", mode="eval"))
        if isinstance(node, cst.Name) and (
            node.value in self.scope or node.value not in self.host.names
        ):
            return None
        return self.host.key_of(node)

    # -- meeting -------------------------------------------------------------------------

    def broadcast(self, left: object, right: object) -> object:
        """Element-wise: right-aligned dimensions meet; the result spans the left's axes."""
        if isinstance(left, Tile) or isinstance(right, Tile):
            return UNKNOWN
        if not (isinstance(left, Block) and isinstance(right, Block)):
            return UNKNOWN
        if not self.squeezable(left, right):
            return UNKNOWN
        rank = max(len(left.dims), len(right.dims))
        a = (None,) * (rank - len(left.dims)) + left.dims
        b = (None,) * (rank - len(right.dims)) + right.dims
        dims = []
        for x, y in zip(a, b):
            if x is not None and y is not None:
                self.meet(x, y)
            dims.append(x if x is not None else y)
        return Block(tuple(dims))

    def squeezable(self, first: Block, second: Block) -> bool:
        """values.check_squeezable: a view's `None` against a squeezed tile stands for it."""
        for holder, other in ((first, second), (second, first)):
            for back in range(1, min(len(holder.dims), len(other.dims)) + 1):
                tile = other.dims[-back]
                if (
                    holder.dims[-back] is None
                    and tile is not None
                    and tile[0] == "tile"
                    and tile[2]
                ):
                    position = len(holder.dims) - back
                    if holder.nones is None or position not in holder.nones[1]:
                        raise Materialise
                    self.facts.none_tiles.setdefault((holder.nones[0], position), tile[1])
        return True

    def meet(self, x: Dim, y: Dim) -> None:
        """expressions.same_axis: two whole dimensions, or one and a number of lanes, are one."""
        if x == y or x[0] == "tile" or y[0] == "tile":
            return
        if x[0] == "whole" and y[0] == "whole":
            self.facts.unified.add(tuple(sorted((x[1], y[1]))))
        elif {x[0], y[0]} == {"whole", "sized"}:
            whole, sized = (x, y) if x[0] == "whole" else (y, x)
            if not whole[1].isdigit():
                self.facts.unified.add(tuple(sorted((whole[1], str(sized[1])))))

    # -- names ---------------------------------------------------------------------------

    def qualified(self, node: cst.BaseExpression) -> str | None:
        return self.aliases.qualified(node)

    def is_host_tensor(self, name: str) -> bool:
        """As lowering decides: a host tensor, or a host name the loop indexes (an optional
        tensor argument given one) that is no scalar parameter."""
        if name in self.scope or name not in self.host.names:
            return False
        if name in self.host.tensors:
            return True
        return name in self.subscripted and name not in self.host.scalar_params

    def known_test(self, test: cst.BaseExpression) -> bool | None:
        """`x is None` / `x is not None` of an argument: the branch lowering takes (the
        specialisation on None or a tensor, specialised.py); None when not known here."""
        if not (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.left, cst.Name)
            and is_none_name(test.comparisons[0].comparator)
            and isinstance(test.comparisons[0].operator, (cst.Is, cst.IsNot))
        ):
            return None
        name = test.left.value
        if name in self.scope:
            return None
        if name in self.host.constants:
            none = self.host.constants[name] is None
        elif self.is_host_tensor(name):
            none = False
        else:
            return None
        return none if isinstance(test.comparisons[0].operator, cst.Is) else not none
