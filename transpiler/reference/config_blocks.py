"""Reference mode's tiles under a config's block sizes, for kernels whose result depends on them.

Reference mode runs each `hl.tile` loop as one whole-range tile, which is right for every kernel
whose result does not depend on the block size. A kernel reading `tile.id`, `tile.count`,
`tile.begin` or `tile.end` (`partials[tile.id] = x[tile].sum()` under
`Config(block_sizes=[16])`) computes something that does: one whole tile wrote `partials[0]` and
left the others as `torch.empty` made them. Such a kernel's loops get the config's block sizes
here (`block_size=` added where the source gives none), in the order the transpiler gives them
out: `hl.register_block_size`'s first, then each tile dimension in source order.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
import libcst.matchers as m

from ..compile.frontend.config_check import config_fields
from ..compile.ops.hl import HL, LANES

# Tile attributes whose value depends on the block size (`.index` and `.block_size` do too,
# but over a whole range they are what the kernel's own lanes see).
BLOCK_DEPENDENT = frozenset({"id", "count", "begin", "end"})
# hl's spellings of them as functions (`hl.tile_id(tile)`), read from the hl table's rows
BLOCK_FUNCTIONS = frozenset(
    op.name
    for op in HL
    if op.cost == "tile_attribute" and op.doc.split(":")[0].removeprefix("tile.") in BLOCK_DEPENDENT
)
TILE_LOOPS = tuple(op.name for op in HL if op.loop == "device" and op.each == LANES)
REGISTERED_BLOCKS = tuple(op.name for op in HL if op.host == "block_size")

_TILE_LOOP = m.For(iter=m.Call(func=m.Attribute(attr=m.OneOf(*map(m.Name, TILE_LOOPS)))))
_REGISTERED = m.Call(func=m.Attribute(attr=m.OneOf(*map(m.Name, REGISTERED_BLOCKS))))


def _reads_block_dependent(function: cst.FunctionDef) -> bool:
    attributes = m.findall(function, m.Attribute(attr=m.OneOf(*map(m.Name, BLOCK_DEPENDENT))))
    calls = m.findall(
        function, m.Call(func=m.Attribute(attr=m.OneOf(*map(m.Name, BLOCK_FUNCTIONS))))
    )
    return bool(attributes or calls)


def _decorator_blocks(function: cst.FunctionDef) -> list | None:
    """The `block_sizes` of a literal `config=helion.Config(...)` in the kernel's decorator."""
    for decorator in function.decorators:
        call = decorator.decorator
        if not isinstance(call, cst.Call):
            continue
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == "config":
                fields = config_fields(cst.Module([]).code_for_node(arg.value)) or {}
                sizes = fields.get("block_sizes")
                if isinstance(sizes, (list, tuple)):
                    return list(sizes)
    return None


def tile_dimensions(call: cst.Call) -> int | None:
    """How many tile dimensions `hl.tile(...)` makes, where the source shows it."""
    positional = [a.value for a in call.args if a.keyword is None]
    sizes = positional[1] if len(positional) >= 2 else positional[0] if positional else None
    if isinstance(sizes, (cst.List, cst.Tuple)):
        return len(sizes.elements)
    if isinstance(sizes, (cst.Name, cst.Integer, cst.BinaryOperation, cst.Subscript)):
        return 1
    if isinstance(sizes, cst.Call) and m.matches(sizes.func, m.Attribute(attr=m.Name("size"))):
        return 1 if sizes.args else None  # `x.size(0)`; `x.size()` has the rank of x
    return None


def _given_block(call: cst.Call) -> bool:
    positional = [a for a in call.args if a.keyword is None]
    keyword = [a for a in call.args if a.keyword is not None and a.keyword.value == "block_size"]
    return len(positional) >= 3 or any(not m.matches(a.value, m.Name("None")) for a in keyword)


class ConfigBlocks(m.MatcherDecoratableTransformer):
    """Adds the config's block sizes to the tile loops of kernels that read tile positions."""

    def __init__(self, blocks: dict[str, Sequence] | None = None) -> None:
        super().__init__()
        self.given = blocks or {}
        self.left: list | None = None  # the block sizes the next tile loops take
        self.taken: dict[cst.For, list] = {}  # loop → its block sizes
        self.kernel = ""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.left is not None:
            return
        sizes = self.given.get(node.name.value)
        sizes = list(sizes) if sizes is not None else _decorator_blocks(node)
        if sizes and _reads_block_dependent(node):
            registered = len(m.findall(node, _REGISTERED))
            self.left = sizes[registered:]
            self.kernel = node.name.value

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if self.left is not None and original_node.name.value == self.kernel:
            self.left = None
        return updated_node

    @m.visit(_TILE_LOOP)
    def take_blocks(self, node: cst.For) -> None:
        """Outer loops first: the config's block sizes follow the source's order."""
        call = cst.ensure_type(node.iter, cst.Call)
        if self.left is None or _given_block(call):
            return
        count = tile_dimensions(call)
        if count is None or not self.left:
            self.left = []  # where the dimensions start is not known: the rest stay whole
            return
        taken, self.left = self.left[:count], self.left[count:]
        taken += [None] * (count - len(taken))
        if any(size is not None for size in taken):
            self.taken[node] = taken

    @m.leave(_TILE_LOOP)
    def with_blocks(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        taken = self.taken.pop(original_node, None)
        if taken is None:
            return updated_node
        call = cst.ensure_type(updated_node.iter, cst.Call)
        literal = [cst.Name("None") if s is None else cst.Integer(str(s)) for s in taken]
        value: cst.BaseExpression = (
            cst.List([cst.Element(v) for v in literal])
            if isinstance(_sizes_node(call), (cst.List, cst.Tuple))
            else literal[0]
        )
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args = [*call.args[:-1], call.args[-1].with_changes(comma=comma)]
        tight = cst.SimpleWhitespace("")
        equal = cst.AssignEqual(whitespace_before=tight, whitespace_after=tight)
        keyword = cst.Arg(value=value, keyword=cst.Name("block_size"), equal=equal)
        return updated_node.with_changes(iter=call.with_changes(args=[*args, keyword]))


def _sizes_node(call: cst.Call) -> cst.BaseExpression | None:
    positional = [a.value for a in call.args if a.keyword is None]
    return positional[1] if len(positional) >= 2 else positional[0] if positional else None
