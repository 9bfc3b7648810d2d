"""Reference mode's `hl.jagged_tile` loops, run one parent lane at a time.

A jagged loop's length differs per lane of the tiles its lengths come from (its parents): the
generated kernel runs up to the longest length and masks each lane past its own. Reference mode
has no masks, so it splits the parents instead: each enclosing `hl.tile` loop whose tiles the
lengths read (through the kernel's assignments) gets `block_size=1` on those dimensions. Every
lane is then a program of its own, its lengths one value, and the jagged loop one whole tile of
exactly that length (hl_eager.jagged_tile). A parent the source gives a block size keeps it (a
literal list's None entries become 1); the jagged loop then refuses to run eagerly rather than
read past a lane's end.
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..compile.frontend.names_read import names_read
from ..compile.frontend.targets import target_names
from ..compile.ops.hl import JAGGED_LOOPS
from .config_blocks import TILE_LOOPS, tile_dimensions

_TILE_LOOP = m.For(iter=m.Call(func=m.Attribute(attr=m.OneOf(*map(m.Name, TILE_LOOPS)))))
_JAGGED_LOOP = m.For(iter=m.Call(func=m.Attribute(attr=m.OneOf(*map(m.Name, JAGGED_LOOPS)))))


def _names_read(node: cst.CSTNode) -> set[str]:
    return {name.value for name in names_read(node)}


def _dependencies(function: cst.FunctionDef) -> dict[str, set[str]]:
    """Each name the function assigns → every name any of its assignments reads (a tuple
    target's names each read the whole value: more parents than needed, never fewer)."""
    reads: dict[str, set[str]] = {}
    assigns = m.findall(function, m.Assign() | m.AugAssign() | m.AnnAssign())
    for node in assigns:
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        else:
            targets = [node.target]
        value = node.value
        if value is None:
            continue
        read = _names_read(value)
        if isinstance(node, cst.AugAssign):
            read |= _names_read(node.target)
        for target in targets:
            for name in target_names(target):
                reads.setdefault(name, set()).update(read)
    return reads


def _closure(start: set[str], reads: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    pending = list(start)
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(reads.get(name, ()))
    return seen


class JaggedLanes(m.MatcherDecoratableTransformer):
    """Adds `block_size=1` to the dimensions of the tile loops a jagged loop's lengths read."""

    def __init__(self) -> None:
        super().__init__()
        self.functions: list[dict[str, set[str]]] = []
        self.loops: list[cst.For] = []  # enclosing hl.tile loops, outermost first
        self.lanes: dict[cst.For, set[str]] = {}  # tile loop → its targets to split per lane

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(_dependencies(node) if m.findall(node, _JAGGED_LOOP) else {})

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        self.functions.pop()
        return updated_node

    def visit_For(self, node: cst.For) -> None:
        if m.matches(node, _TILE_LOOP):
            self.loops.append(node)
        elif m.matches(node, _JAGGED_LOOP) and self.functions:
            read = _closure(_names_read(cst.ensure_type(node.iter, cst.Call)), self.functions[-1])
            for loop in self.loops:
                split = read & set(target_names(loop.target))
                if split:
                    self.lanes.setdefault(loop, set()).update(split)

    def leave_For(self, original_node: cst.For, updated_node: cst.For) -> cst.For:
        if not m.matches(original_node, _TILE_LOOP):
            return updated_node
        self.loops.pop()
        split = self.lanes.pop(original_node, None)
        call = cst.ensure_type(updated_node.iter, cst.Call)
        lanes = _with_lanes(call, updated_node.target, split) if split else None
        return updated_node if lanes is None else updated_node.with_changes(iter=lanes)


def _with_lanes(call: cst.Call, target: cst.BaseExpression, split: set[str]) -> cst.Call | None:
    """`hl.tile(...)` with `block_size=1` on the dimensions bound to `split`'s names; a literal
    list of block sizes keeps its numbers and gets 1 where it says None; None where the source
    fixes another block size (a positional one, a name, a number)."""
    keyword = next((a for a in call.args if a.keyword and a.keyword.value == "block_size"), None)
    given = None if keyword is None or m.matches(keyword.value, m.Name("None")) else keyword.value
    if len([a for a in call.args if a.keyword is None]) >= 3:
        return None
    names = _target_names(target)
    if given is None and names is None:
        sizes: cst.BaseExpression = cst.Integer("1")  # one tile, or a tuple: every dimension
    elif given is None:
        count = tile_dimensions(call) or len(names)
        sizes = cst.List(
            [
                cst.Element(cst.Integer("1") if name in split else cst.Name("None"))
                for name in [*names, *[None] * (count - len(names))]
            ]
        )
    elif isinstance(given, cst.List | cst.Tuple) and len(given.elements) == len(names or ()):
        sizes = given.with_changes(
            elements=[
                element.with_changes(value=cst.Integer("1"))
                if name in split and m.matches(element.value, m.Name("None"))
                else element
                for element, name in zip(given.elements, names, strict=True)
            ]
        )
    else:
        return None
    kept = [a for a in call.args if a is not keyword]
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    args = [*kept[:-1], kept[-1].with_changes(comma=comma)]
    tight = cst.SimpleWhitespace("")
    equal = cst.AssignEqual(whitespace_before=tight, whitespace_after=tight)
    return call.with_changes(
        args=[*args, cst.Arg(value=sizes, keyword=cst.Name("block_size"), equal=equal)]
    )


def _target_names(target: cst.BaseExpression) -> list[str | None] | None:
    """A tuple target's names, one per dimension (None for one name: a tile or a tuple)."""
    if not isinstance(target, cst.Tuple | cst.List):
        return None
    return [
        element.value.value if isinstance(element.value, cst.Name) else None
        for element in target.elements
    ]
