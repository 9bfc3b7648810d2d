"""The names a device loop's code spells, subscripts and binds, read from its CST."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from ..frontend.targets import target_names


def subscripted_names(loop: cst.For) -> set[str]:
    """The names the loop's code subscripts (`x[...]`)."""
    names: set[str] = set()
    for subscript in m.findall(loop, m.Subscript(value=m.Name())):
        names.add(subscript.value.value)
    return names


def user_names(loop: cst.For) -> frozenset[str]:
    """Every name the loop's code spells: generated names keep clear of them."""
    return frozenset(name.value for name in m.findall(loop, m.Name()))


def bound_names(loop: cst.For) -> tuple[frozenset[str], frozenset[str]]:
    """The names the loop's body assigns (`=`, `:=`, `op=`), and of those the ones whose value
    at a use may not be their one assignment's (assigned twice, in place, a nested loop's
    target): scalar_reach.py bounds a name by its assignment only where it is the one."""
    seen: set[str] = set()
    again: set[str] = set()
    for node in m.findall(loop.body, m.AssignTarget() | m.AnnAssign() | m.NamedExpr()):
        for name in set(target_names(node.target)):
            (again if name in seen else seen).add(name)
    for node in m.findall(loop.body, m.AugAssign()):
        names = target_names(node.target)
        seen.update(names)
        again.update(names)
    for node in m.findall(loop.body, m.For()):
        again.update(target_names(node.target))
    return frozenset(seen), frozenset(again)
