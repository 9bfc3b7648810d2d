"""The shape analysis' values (shapes.py): dimensions, blocks, tiles, and small source tests."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from ..frontend.host import HostInfo

# A dimension of a value, as lowering's axes would be: ("tile", label, squeezed), ("whole", size
# key), ("sized", lanes); None is a dimension of size 1 (a view's `None` carries its place).
Dim = tuple


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


@dataclass
class Call:
    """A call's arguments: `owner` is the block a method is called on (or a torch function's
    first argument), `positional` / `keywords` the other arguments' nodes (an hl call's
    keywords hold every argument bound to its parameter's name, by the row's signature)."""

    name: str
    positional: list[cst.BaseExpression]
    keywords: dict[str, cst.BaseExpression] = field(default_factory=dict)
    owner: object = None
    owner_node: cst.BaseExpression | None = None

    @property
    def full(self) -> list[cst.BaseExpression]:
        """Every positional argument, the owner's first (torch's positions)."""
        return self.positional if self.owner_node is None else [self.owner_node, *self.positional]

    def arg(self, name: str) -> cst.BaseExpression | None:
        return self.keywords.get(name)

    def get(self, position: int, keyword: str) -> cst.BaseExpression | None:
        if keyword in self.keywords:
            return self.keywords[keyword]
        return self.positional[position] if position < len(self.positional) else None


COLON = cst.Slice(lower=None, upper=None)  # `:`, for dimensions an access leaves out
UNKNOWN = None  # a value the analysis does not follow: no facts come from it


class Materialise(Exception):
    """A squeezed tile meets what needs its dimension (values.NotSqueezable's cases)."""


def explicit_blocks(call: cst.Call) -> list:
    """The block sizes `hl.tile(..., block_size=[1, None])` writes (None: not written)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "block_size":
            value = arg.value
            elements = (
                [e.value for e in value.elements]
                if isinstance(value, (cst.List, cst.Tuple))
                else [value]
            )
            return [None if is_none_name(e) else e for e in elements]
    return []


def is_none_name(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def is_colon(part: cst.BaseSlice) -> bool:
    return (
        isinstance(part, cst.Slice)
        and part.lower is None
        and part.upper is None
        and part.step is None
    )


def is_none(part: cst.BaseSlice) -> bool:
    return (
        isinstance(part, cst.Index)
        and isinstance(part.value, cst.Name)
        and part.value.value == "None"
    )


# `s[()]`: the subscript of an index list with no entries (`hl.load(s, [])` of a 0-d tensor)
EMPTY_INDEX = (cst.SubscriptElement(slice=cst.Index(cst.Tuple(elements=[]))),)


def is_empty_index(node: cst.Subscript) -> bool:
    """`s[()]` / `s[...]`: torch's whole tensor, the one element of a 0-d one (the bare name)."""
    parts = [element.slice for element in node.slice]
    if len(parts) != 1 or not isinstance(parts[0], cst.Index):
        return False
    value = parts[0].value
    return isinstance(value, cst.Ellipsis) or (isinstance(value, cst.Tuple) and not value.elements)


def without_ellipsis(parts: list[cst.BaseSlice], rank: int) -> list[cst.BaseSlice]:
    """A block's view subscript with its one `...` as the `:`s it stands for (`v[..., None]`)."""
    at = [
        i
        for i, p in enumerate(parts)
        if isinstance(p, cst.Index) and isinstance(p.value, cst.Ellipsis)
    ]
    if len(at) != 1:
        return parts
    colons = [cst.Slice(lower=None, upper=None)] * max(rank - sum(map(is_colon, parts)), 0)
    return parts[: at[0]] + colons + parts[at[0] + 1 :]


def int_of(node: cst.BaseExpression | None) -> int | None:
    if isinstance(node, cst.Integer):
        return node.evaluated_value
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = int_of(node.expression)
        return None if inner is None else -inner
    return None


def power_of_two(number: object) -> bool:
    return isinstance(number, int) and number > 0 and number & (number - 1) == 0


def squeezed(dim: Dim | None) -> bool:
    return dim is not None and dim[0] == "tile" and dim[2]


def is_block_size(node: cst.BaseExpression, host: HostInfo) -> bool:
    return isinstance(node, cst.Name) and node.value in host.block_size_vars
