"""Before a device loop is lowered: the shape facts its plan needs, from the source and host facts."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field

import libcst as cst

from ..frontend.callables import InlineCallable
from ..frontend.host import HostInfo
from ..frontend.kernels import Aliases
from ..frontend.source import Source
from ..ops.table import ELEMENTWISE_BY_NAME, REDUCTIONS_BY_NAME
from .slices import difference, written_length

# A dimension of a value, as lowering's axes would be: ("tile", label, squeezed), ("whole", size
# key), ("sized", lanes); None is a dimension of size 1 (a view's `None` carries its place).
Dim = tuple
PRESERVING = {"to", "float", "half", "bfloat16", "contiguous", "clone", "type_as", "detach"}
PRESERVING |= {"full_like", "zeros_like", "ones_like", "empty_like"}
NEW = {"new_zeros", "new_ones", "new_full", "new_empty"}  # blocks of a shape written out
SCALAR_ATTRIBUTES = {"id", "begin", "end", "block_size", "count"}  # a tile's ints
MATRIX = {"matmul", "mm", "bmm", "dot"}  # torch.matmul / mm / bmm, hl.dot
ADDED_PRODUCT = {"baddbmm", "addmm"}  # acc + a @ b


@dataclass(frozen=True)
class Block:
    """A value with dimensions; `nones` places the `None`s of the view that made it."""

    dims: tuple[Dim | None, ...]
    nones: tuple[int, frozenset[int]] | None = None


@dataclass(frozen=True)
class Tile:
    label: str
    squeezed: bool


@dataclass(frozen=True)
class HostTensor:
    """A host tensor by name (passed to a module function, indexed there)."""

    name: str


@dataclass(frozen=True)
class Items:
    items: tuple[object, ...]


COLON = cst.Slice(lower=None, upper=None)  # `:`, for dimensions an access leaves out
UNKNOWN = None  # a value the analysis does not follow: no facts come from it


@dataclass
class ShapeFacts:
    """What lowering's shapes will show: whole dimensions that meet (`unified`: pairs of size
    keys, as a run finds them), view `None`s that meet a squeezed tile (`none_tiles`), and
    whether block-size-1 tiles can go without a Triton dimension (`squeeze_units`)."""

    unified: set[tuple[str, str]] = field(default_factory=set)
    none_tiles: dict[tuple[int, int], str] = field(default_factory=dict)
    squeeze_units: bool = True


class _Materialise(Exception):
    """A squeezed tile meets what needs its dimension (values.NotSqueezable's cases)."""


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
        walker = _Walker(source, host, aliases, block_sizes, squeeze=True)
        walker.callables = callables
        walker.loop(loop)
    except _Materialise:
        walker = _Walker(source, host, aliases, block_sizes, squeeze=False)
        walker.callables = callables
        walker.loop(loop)
        walker.facts.squeeze_units = False
    return walker.facts


class _Walker:
    def __init__(
        self, source: Source, host: HostInfo, aliases: Aliases, block_sizes: list, squeeze: bool
    ) -> None:
        self.source, self.host, self.aliases = source, host, aliases
        self.block_sizes, self.squeeze = list(block_sizes), squeeze
        self.callables: Mapping[str, object] = {}
        self.facts = ShapeFacts()
        self.scope: dict[str, object] = {}
        self.helpers = {  # module functions a call in the loop inlines
            s.name.value: s for s in source.module.body if isinstance(s, cst.FunctionDef)
        }

    # -- statements ----------------------------------------------------------------------

    def loop(self, loop: cst.For) -> None:
        call = loop.iter
        qualified = self.qualified(call.func) if isinstance(call, cst.Call) else None
        names = _target_names(loop.target)
        if qualified in ("helion.language.tile", "helion.language.grid") and names:
            explicit = _explicit_blocks(call) if qualified.endswith("tile") else []
            outer = not self.scope
            for index, name in enumerate(names):
                if qualified.endswith("grid"):
                    self.scope[name] = Block(())
                    continue
                block = explicit[index] if index < len(explicit) else None
                if block is None and outer and self.block_sizes:  # the config's, in loop order
                    chosen = self.block_sizes.pop(0)
                    block = cst.Integer(str(chosen)) if chosen is not None else None
                one = isinstance(block, cst.Integer) and block.evaluated_value == 1
                self.scope[name] = Tile(name, outer and one and self.squeeze)
        else:
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
                self.statements(statement.body.body)
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
        dims = self.access(base.value, target)
        if dims is None or not isinstance(value, Block):
            return
        if not self.squeezable(value, Block(dims)):
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
            if node.value in self.host.tensors:
                return HostTensor(node.value)
            if node.value not in self.host.names:
                return UNKNOWN
            return Block(())  # a host scalar
        if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
            return Block(())
        if isinstance(node, cst.BinaryOperation):
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(node.operator, cst.MatrixMultiply):
                return self.product(left, right)
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
            return self.call(node)
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
            return self.transposed(owner)
        return UNKNOWN

    def transposed(self, owner: Block) -> object:
        """`.T` / `.t()`: tl.trans of a 2-D block (no dimension to swap for a squeezed tile)."""
        if any(map(_squeezed, owner.dims)):
            raise _Materialise
        if len(owner.dims) < 2:
            return owner
        return Block(owner.dims[::-1]) if len(owner.dims) == 2 else UNKNOWN

    def subscript(self, node: cst.Subscript) -> object:
        base = node.value
        if isinstance(base, cst.Name) and self.is_host_tensor(base.value):
            dims = self.access(base.value, node)
            return UNKNOWN if dims is None else Block(dims, self.access_nones(node, dims))
        value = self.expr(base)
        if isinstance(value, HostTensor):
            dims = self.access(value.name, node)
            return UNKNOWN if dims is None else Block(dims, self.access_nones(node, dims))
        if not isinstance(value, Block):
            return UNKNOWN
        dims, source, nones = [], 0, set()
        for element in node.slice:
            part = element.slice
            if _is_colon(part):
                if source >= len(value.dims):
                    return UNKNOWN
                dims.append(value.dims[source])
                source += 1
            elif _is_none(part):
                nones.add(len(dims))
                dims.append(None)
            else:
                return UNKNOWN
        dims.extend(value.dims[source:])
        return Block(tuple(dims), (id(node), frozenset(nones)))

    def access(self, tensor: str, node: cst.Subscript) -> tuple | None:
        """The dimensions of `tensor[index...]` (a load, or a store's target)."""
        parts = [element.slice for element in node.slice]
        used = sum(1 for p in parts if not _is_none(p))
        rank = self.host.rank(tensor)
        if rank is not None and used > rank:
            return None
        if rank is not None:
            parts += [COLON] * (rank - used)
        dims: list[Dim | None] = []
        tensor_dim = 0
        for part in parts:
            if _is_none(part):
                dims.append(None)
                continue
            if _is_colon(part):
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
                elif not (isinstance(index, Block) and not index.dims):
                    return None  # a gather or something not followed
            tensor_dim += 1
        return tuple(dims)

    def access_nones(self, node: cst.Subscript, dims: tuple) -> tuple[int, frozenset[int]]:
        places, position = set(), 0
        for element in node.slice:
            if _is_none(element.slice):
                places.add(position)
            if not (isinstance(element.slice, cst.Index) and not _is_none(element.slice)):
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

    # -- calls ---------------------------------------------------------------------------

    def call(self, node: cst.Call) -> object:
        func = node.func
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        qualified = self.qualified(func)
        if qualified is not None and qualified.startswith("helion.language."):
            return self.language(qualified.removeprefix("helion.language."), positional, keywords)
        if qualified is not None and qualified.startswith("torch."):
            name = qualified.rsplit(".", 1)[-1]
            return self.torch_call(name, [self.expr(p) for p in positional], positional, keywords)
        if qualified == "typing.cast" and len(positional) == 2:
            return self.expr(positional[1])
        if isinstance(func, cst.Name) and func.value not in self.scope:
            helper = self.helpers.get(func.value)
            if helper is not None:
                return self.inline(helper, [self.expr(p) for p in positional])
            given = self.callables.get(func.value)
            if isinstance(given, InlineCallable):
                return self.inline_callable(given, [self.expr(p) for p in positional])
        if isinstance(func, cst.Name) and func.value in ("float", "int", "min", "max", "abs"):
            result: object = Block(())
            for value in map(self.expr, positional):
                result = self.broadcast(result, value)
            return result
        if isinstance(func, cst.Attribute) and func.attr.value in NEW:  # x.new_zeros(shape)
            shape = positional[0] if positional else keywords.get("size")
            return UNKNOWN if shape is None else self.allocation(shape)
        if isinstance(func, cst.Attribute):
            owner = self.expr(func.value)
            if not isinstance(owner, Block):
                return UNKNOWN
            return self.method(owner, func.attr.value, positional, keywords)
        return UNKNOWN

    def language(self, name: str, positional: list, keywords: dict) -> object:
        if name in ("zeros", "full") and positional:
            return self.allocation(positional[0])
        if name == "arange" and len(positional) == 1:  # hl.arange(tile.block_size): its lanes
            end = positional[0]
            if isinstance(end, cst.Attribute) and end.attr.value == "block_size":
                tile = self.expr(end.value)
                if isinstance(tile, Tile):
                    return Block((("tile", tile.label, tile.squeezed),))
            return UNKNOWN
        if name == "split" and positional:
            value = self.expr(positional[0])
            if not isinstance(value, Block) or not value.dims or value.dims[-1] is None:
                return UNKNOWN
            self.meet(("sized", 2), value.dims[-1])
            half = Block(value.dims[:-1])
            return Items((half, half))
        if name == "join" and len(positional) == 2:
            value = self.broadcast(self.expr(positional[0]), self.expr(positional[1]))
            return Block((*value.dims, ("sized", 2))) if isinstance(value, Block) else UNKNOWN
        if name in ("reduce", "associative_scan") and len(positional) >= 2:
            dim = keywords.get("dim", positional[2] if len(positional) > 2 else None)
            keep = keywords.get("keep_dims")
            return self.combine(name, self.expr(positional[1]), dim, keep)
        if name == "dot" and len(positional) >= 2:
            product = self.product(self.expr(positional[0]), self.expr(positional[1]))
            acc = keywords.get("acc", positional[2] if len(positional) > 2 else None)
            return product if acc is None else self.broadcast(product, self.expr(acc))
        return UNKNOWN

    def torch_call(self, name: str, values: list, positional: list, keywords: dict) -> object:
        if name in MATRIX and len(values) == 2:
            return self.product(values[0], values[1])
        if name in ADDED_PRODUCT and len(values) == 3:
            return self.broadcast(self.product(values[1], values[2]), values[0])
        if values and isinstance(values[0], Block):
            return self.method(values[0], name, positional[1:], keywords, values[1:])
        return UNKNOWN

    def method(
        self, owner: Block, name: str, positional: list, keywords: dict, values: list | None = None
    ) -> object:
        if name == "contiguous":
            return owner  # the same value: a view's `None`s stay named (values.Value.view_nones)
        if name in PRESERVING:
            return Block(owner.dims)
        if name == "expand_as" and positional:
            return self.broadcast(owner, self.expr(positional[0]))
        if name in ("transpose", "permute"):
            numbers = [_int(p) for p in positional]
            if len(numbers) == 1 and isinstance(positional[0], (cst.List, cst.Tuple)):
                numbers = [_int(e.value) for e in positional[0].elements]
            return self.permute(owner, name, numbers)
        if name in ("view", "reshape") and positional:
            elements = positional
            if len(elements) == 1 and isinstance(elements[0], (cst.List, cst.Tuple)):
                elements = [e.value for e in elements[0].elements]
            shaped = self.allocation(cst.List([cst.Element(e) for e in elements]))
            if isinstance(shaped, Block) and any(map(_squeezed, (*owner.dims, *shaped.dims))):
                raise _Materialise
            return shaped
        if name == "t":
            return self.transposed(owner)
        if name in REDUCTIONS_BY_NAME:
            return self.reduction(owner, positional, keywords, REDUCTIONS_BY_NAME[name])
        if name in ELEMENTWISE_BY_NAME:
            operands = values if values is not None else [self.expr(p) for p in positional]
            result: object = owner
            for other in operands:
                if isinstance(other, Block) or other is UNKNOWN:
                    result = self.broadcast(result, other)
            return result
        return UNKNOWN

    def combine(self, name: str, value: object, dim, keep) -> object:
        """hl.reduce / hl.associative_scan: a tuple's blocks meet position by position."""
        inputs = list(value.items) if isinstance(value, Items) else [value]
        if not all(isinstance(v, Block) for v in inputs):
            return UNKNOWN
        first = inputs[0]
        for other in inputs[1:]:
            if len(other.dims) == len(first.dims):
                for a, b in zip(first.dims, other.dims):
                    if a is not None and b is not None:
                        self.meet(a, b)
        if name == "associative_scan":
            results = [Block(v.dims) for v in inputs]
        else:
            keywords = {"dim": dim} if dim is not None else {}
            if keep is not None:
                keywords["keepdim"] = keep
            results = [self.reduction(v, [], keywords) for v in inputs]
        return Items(tuple(results)) if isinstance(value, Items) else results[0]

    def inline(self, function: cst.FunctionDef, values: list) -> object:
        """A module function called in the loop: its body walked with the arguments bound."""
        saved = self.scope
        params = [p.name.value for p in function.params.params]
        self.scope = {**saved, **dict(zip(params, values))}
        result: object = UNKNOWN
        try:
            for statement in function.body.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    for small in statement.body:
                        if isinstance(small, cst.Return):
                            return UNKNOWN if small.value is None else self.expr(small.value)
                        self.small(small)
                else:
                    self.statements([statement])
            return result
        finally:
            self.scope = saved

    def inline_callable(self, given: InlineCallable, values: list) -> object:
        """A callable argument (`score_mod`): its statements, then its returned expression."""
        saved = self.scope
        self.scope = {**saved, **dict(zip(given.params, values))}
        try:
            self.statements(given.statements)
            return self.expr(given.body)
        finally:
            self.scope = saved

    def reduction(self, owner: Block, positional: list, keywords: dict, op=None) -> object:
        dim_node = keywords.get("dim", positional[0] if positional else None)
        if dim_node is None:
            return Block(())
        dim = _int(dim_node)
        if dim is None or not -len(owner.dims) <= dim < len(owner.dims):
            return UNKNOWN
        position = dim % len(owner.dims)
        keep = keywords.get("keepdim")
        kept = isinstance(keep, cst.Name) and keep.value == "True"
        reduced = owner.dims[position]
        if _squeezed(reduced) or (
            reduced is None and all(d is None or _squeezed(d) for d in owner.dims)
        ):
            raise _Materialise  # no Triton dimension to reduce
        if op is not None and op.keeps_shape:
            return Block(owner.dims)
        dims = owner.dims[:position] + ((None,) if kept else ()) + owner.dims[position + 1 :]
        return Block(dims)

    def permute(self, owner: Block, name: str, numbers: list) -> object:
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

    def allocation(self, shape: cst.BaseExpression) -> object:
        """hl.zeros / hl.full / reshape shapes: tiles, host sizes, 1 and powers of two."""
        elements = (
            [e.value for e in shape.elements]
            if isinstance(shape, (cst.List, cst.Tuple))
            else [shape]
        )
        dims: list[Dim | None] = []
        for element in elements:
            key = None if isinstance(element, cst.Integer) else self.host_size_key(element)
            if key is not None:
                dims.append(("whole", key))
                continue
            value = self.expr(element)
            if isinstance(value, Tile):
                dims.append(("tile", value.label, value.squeezed))
            elif isinstance(value, Items) and all(isinstance(i, Tile) for i in value.items):
                dims.extend(("tile", i.label, i.squeezed) for i in value.items)
            elif isinstance(element, cst.Integer) and element.evaluated_value == 1:
                dims.append(None)
            elif isinstance(element, cst.Integer) and _power_of_two(element.evaluated_value):
                dims.append(("sized", element.evaluated_value))
            else:
                return UNKNOWN
        return Block(tuple(dims))

    def host_size_key(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Name) and (
            node.value in self.scope or node.value not in self.host.names
        ):
            return None
        if _is_block_size(node, self.host):
            return None
        return self.host.key_of(node)

    def product(self, left: object, right: object) -> object:
        """`a @ b`: K meets K; batch dimensions broadcast; the result is (batch, M, N)."""
        if not (isinstance(left, Block) and isinstance(right, Block)):
            return UNKNOWN
        if len(left.dims) < 2 or len(right.dims) < 2 or len(left.dims) != len(right.dims):
            return UNKNOWN
        k_left, k_right = left.dims[-1], right.dims[-2]
        if k_left is None or k_right is None:
            return UNKNOWN
        if any(map(_squeezed, (*left.dims[-2:], *right.dims[-2:]))):
            raise _Materialise  # a squeezed tile as a matrix dimension
        self.meet(k_left, k_right)
        batch = self.broadcast(Block(left.dims[:-2]), Block(right.dims[:-2]))
        if not isinstance(batch, Block):
            return UNKNOWN
        return Block((*batch.dims, left.dims[-2], right.dims[-1]))

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
                        raise _Materialise
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
        return name not in self.scope and name in self.host.tensors


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
    return []


def _explicit_blocks(call: cst.Call) -> list:
    """The block sizes `hl.tile(..., block_size=[1, None])` writes (None: not written)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "block_size":
            value = arg.value
            elements = (
                [e.value for e in value.elements]
                if isinstance(value, (cst.List, cst.Tuple))
                else [value]
            )
            return [None if _is_none_name(e) else e for e in elements]
    return []


def _is_none_name(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _is_colon(part: cst.BaseSlice) -> bool:
    return (
        isinstance(part, cst.Slice)
        and part.lower is None
        and part.upper is None
        and part.step is None
    )


def _is_none(part: cst.BaseSlice) -> bool:
    return (
        isinstance(part, cst.Index)
        and isinstance(part.value, cst.Name)
        and part.value.value == "None"
    )


def _int(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _int(node.expression)
        return None if inner is None else -inner
    return None


def _power_of_two(number: object) -> bool:
    return isinstance(number, int) and number > 0 and number & (number - 1) == 0


def _squeezed(dim: Dim | None) -> bool:
    return dim is not None and dim[0] == "tile" and dim[2]


def _is_block_size(node: cst.BaseExpression, host: HostInfo) -> bool:
    return isinstance(node, cst.Name) and node.value in host.block_size_vars
