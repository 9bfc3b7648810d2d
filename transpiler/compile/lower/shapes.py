"""Before a device loop is lowered: the shape facts its plan needs, from the source and host facts."""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
import libcst.matchers as m

from ..frontend.aliases import Aliases
from ..frontend.host import HostInfo
from ..frontend.source import Source
from ..frontend.targets import target_names
from ..ops.hl import HL_BY_NAME, LANES
from .shape_calls import call
from .shape_meeting import Meeting, ShapeFacts
from .shape_stacks import product
from .shape_subscripts import access, subscript
from .shape_torch import transposed
from .shape_values import (
    UNKNOWN,
    Block,
    HostTensor,
    Items,
    Materialise,
    Tile,
    explicit_blocks,
    is_none_name,
)

SCALAR_ATTRIBUTES = {"id", "begin", "end", "block_size", "count"}  # a tile's ints
PAIR_FIELDS = {"values": 0, "indices": 1}  # torch's (values, indices) results, by name
HL = "helion.language."


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
    """One walk over a device loop's body: each name's value in `scope`, statements and
    expressions followed here, subscripts (shape_subscripts.py), calls (shape_calls.py) and
    meetings (shape_meeting.py) beside it."""

    def __init__(
        self, source: Source, host: HostInfo, aliases: Aliases, block_sizes: list, squeeze: bool
    ) -> None:
        self.source, self.host, self.aliases = source, host, aliases
        self.block_sizes, self.squeeze = list(block_sizes), squeeze
        self.callables: Mapping[str, object] = {}
        self.subscripted: set[str] = set()
        self.facts = ShapeFacts()
        self.meeting = Meeting(self.facts)
        self.scope: dict[str, object] = {}
        self.helpers = {  # module functions a call in the loop inlines
            s.name.value: s for s in source.module.body if isinstance(s, cst.FunctionDef)
        }
        self.inlining: list[str] = []  # the helpers being inlined, outermost first

    # -- statements ----------------------------------------------------------------------

    def loop(self, loop: cst.For) -> None:
        if (
            not self.scope
        ):  # the device loop itself: names it indexes (lowering's tensor_names_used)
            self.subscripted = {
                node.value.value
                for node in m.findall(loop, m.Subscript(value=m.Name()))
                if isinstance(node, cst.Subscript)
            } - set(self.host.size_tuples)
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
        self.carried(loop)

    def carried(self, loop: cst.For | cst.While) -> None:
        """A loop's body; values carried across it keep their axes."""
        before = dict(self.scope)
        self.statements(loop.body.body)
        for name, value in before.items():
            after = self.scope.get(name)
            if isinstance(value, Block) and isinstance(after, Block):
                if len(value.dims) == len(after.dims):
                    for a, b in zip(value.dims, after.dims):
                        if a is not None and b is not None:
                            self.meeting.meet(a, b)

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
                self.carried(statement)

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
                self.scope[small.target.value] = self.meeting.broadcast(current, value)
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
        dims = access(self, base.value, [element.slice for element in target.slice])
        if dims is not None:
            self.meet_stored(value, dims)

    def meet_stored(self, value: object, dims: tuple) -> None:
        if not isinstance(value, Block) or not self.meeting.squeezable(value, Block(dims)):
            return
        for own, theirs in zip(reversed(value.dims), reversed(dims)):
            if own is not None and theirs is not None:
                self.meeting.meet(own, theirs)

    # -- expressions ---------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression) -> object:
        """The value of `node`, its dimensions recorded where one tile is on several."""
        value = self.value(node)
        if isinstance(value, Block):
            self.facts.record_axes(value.dims)
        return value

    def value(self, node: cst.BaseExpression) -> object:
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
            return self.meeting.broadcast(left, right)
        if isinstance(node, cst.UnaryOperation):
            return self.expr(node.expression)
        if isinstance(node, cst.Comparison):
            value = self.expr(node.left)
            for target in node.comparisons:
                value = self.meeting.broadcast(value, self.expr(target.comparator))
            return value
        if isinstance(node, cst.BooleanOperation):
            return self.meeting.broadcast(self.expr(node.left), self.expr(node.right))
        if isinstance(node, cst.Subscript):
            return subscript(self, node)
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
        if isinstance(owner, Block) and name == "mT" and len(owner.dims) == 2:
            return transposed(self, owner)
        if isinstance(owner, Block) and name == "mT" and len(owner.dims) > 2:  # .transpose(-2, -1)
            return Block((*owner.dims[:-2], owner.dims[-1], owner.dims[-2]))
        if isinstance(owner, Items) and len(owner.items) == 2 and name in PAIR_FIELDS:
            return owner.items[PAIR_FIELDS[name]]  # torch.cummin(x, 0).indices
        return UNKNOWN

    # -- names ---------------------------------------------------------------------------

    def qualified(self, node: cst.BaseExpression) -> str | None:
        return self.aliases.qualified(node)

    def squeezing(self) -> bool:
        """Whether a tile in scope is squeezed (block size 1, no Triton dimension)."""
        return any(isinstance(v, Tile) and v.squeezed for v in self.scope.values())

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
