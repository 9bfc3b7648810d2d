"""Which host names are tensors of which rank when the host code makes them from others:
views and conversions that keep or name a rank (`x.t()`, `x.float()`, `x.unsqueeze(0)`),
slices (`buf[1::2]`), and a name bound again under an `if` (`if flag: x = x.contiguous()`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from .host_zero_dim import ELEMENTWISE, is_zero_dim

if TYPE_CHECKING:
    from .host import HostInfo

# tensor methods giving a tensor of their tensor's rank (views, copies, conversions)
_SAME_RANK = {"contiguous", "clone", "detach", "to", "float", "half", "bfloat16", "double"}
_SAME_RANK |= {"int", "long", "bool", "t", "transpose", "type", "type_as", "view_as", "expand_as"}
_TRANSPOSES = {"T", "mT", "H", "mH"}  # attributes: x.mT, a view of x's rank


def view_rank(info: HostInfo, value: cst.BaseExpression) -> int | None:
    """The rank of a view or conversion of a tensor of known rank that keeps or names its
    rank (`x.t()`, `x.float().contiguous()`, `x.permute(2, 0, 1)`, `x.unsqueeze(0)`,
    `x.mT`); None for anything else."""
    if isinstance(value, cst.Attribute) and value.attr.value in _TRANSPOSES:
        return view_rank(info, value.value)
    if isinstance(value, cst.Name):
        tensor = value.value in info.tensors or value.value in info.optional_params
        return info.rank(value.value) if tensor else None
    if sliced(value):  # x[:, ::2]: a view of x's rank
        rank = view_rank(info, value.value)
        return rank if rank is not None and len(value.slice) <= rank else None
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
        return None
    method, positional = value.func.attr.value, [a for a in value.args if not a.keyword]
    rank = view_rank(info, value.func.value)
    if rank is None:
        return None
    if method in _SAME_RANK:
        return rank
    if method in ELEMENTWISE and all(_literal_number(a.value) for a in value.args):
        return rank  # t = x.abs(), x.clamp(min=0): element-wise of numbers alone
    if method == "permute" and positional:
        first = positional[0].value
        listed = isinstance(first, (cst.List, cst.Tuple)) and len(positional) == 1
        return len(first.elements) if listed else len(positional)
    if method == "unsqueeze" and len(positional) == 1:
        return rank + 1
    if method == "flatten" and not value.args:
        return 1
    return None


def _literal_number(value: cst.BaseExpression) -> bool:
    """`2`, `-0.5`, `1e-6`: a number written out."""
    if isinstance(value, cst.UnaryOperation):
        return _literal_number(value.expression)
    return isinstance(value, (cst.Integer, cst.Float))


def rank_kept(info: HostInfo, statement: cst.CSTNode, name: str) -> int | None:
    """The tensor `name`'s rank where each of the statement's assignments to it (an `if`'s
    branches) is a view of that rank, else None."""
    rank = info.rank(name) if name in info.tensors or name in info.optional_params else None
    assigns = _assignments(statement, name)
    if rank is None or assigns is None:
        return None
    return rank if all(view_rank(info, a.value) == rank for a in assigns) else None


def zero_dim_kept(info: HostInfo, statement: cst.CSTNode, name: str) -> bool:
    """Whether `name` holds a 0-d tensor after the statement (an `if`, a `for`, a `with`): each
    of its assignments there makes one, and so did it before, unless it was unbound (a path
    that does not bind it would fail at its use) or the statement runs its body once."""
    assigns = _assignments(statement, name)
    if not assigns or not all(is_zero_dim(a.value, info) for a in assigns):
        return False
    unbound = name not in info.names and name not in info.params
    once = isinstance(statement, cst.With)
    return unbound or once or is_zero_dim(cst.Name(name), info)


def own_methods(statement: cst.CSTNode, name: str) -> bool:
    """Whether every assignment to `name` in the statement is a method call chain on the
    name itself (`bias = bias.float().contiguous()`)."""
    assigns = _assignments(statement, name)
    return assigns is not None and all(
        isinstance(a.value, cst.Call) and root(a.value) == name for a in assigns
    )


def _assignments(statement: cst.CSTNode, name: str) -> list[cst.Assign] | None:
    """The statement's `name = ...` assignments; None where it binds the name otherwise too
    (`+=`, a loop's target, a tuple)."""
    every = m.findall(statement, m.AssignTarget() | m.AugAssign() | m.AnnAssign() | m.For())
    named = [t for t in every if name in {n.value for n in m.findall(t.target, m.Name())}]
    assigns = m.findall(statement, m.Assign(targets=[m.AssignTarget(target=m.Name(name))]))
    return list(assigns) if len(named) == len(assigns) else None


def root(value: cst.BaseExpression) -> str | None:
    """The name a chain of calls and attributes starts from (`bias` of `bias.float().t()`)."""
    while isinstance(value, (cst.Call, cst.Attribute)):
        value = value.func if isinstance(value, cst.Call) else value.value
    return value.value if isinstance(value, cst.Name) else None


def sliced(value: cst.BaseExpression) -> bool:
    """`t[::2]`, `t[1:, :]`: a subscript of slices alone (a view of t's rank)."""
    return isinstance(value, cst.Subscript) and all(
        isinstance(element.slice, cst.Slice) for element in value.slice
    )
