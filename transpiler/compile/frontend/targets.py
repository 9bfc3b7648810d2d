"""The names an assignment or loop target binds, shared by every pass that reads targets."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m


def bound_names(target: cst.BaseExpression) -> list[cst.Name]:
    """The name nodes a target binds, in order: `a`; `a, (b, *c)`; none for `top[i]` or `o.x`
    (a subscript or an attribute in a target reads its names, it binds none)."""
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in bound_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return bound_names(target.value)
    return []


def target_names(target: cst.BaseExpression) -> list[str]:
    """The names a target binds, in order (`bound_names`' values)."""
    return [name.value for name in bound_names(target)]


def names_bound_in(node: cst.CSTNode | cst.BaseSuite) -> set[str]:
    """The names the assignments and for loops inside `node` bind (not `out[tile]`'s)."""
    names: set[str] = set()
    for found in m.findall(node, m.AssignTarget() | m.AugAssign() | m.AnnAssign() | m.For()):
        names |= set(target_names(found.target))
    return names
