"""What a device loop's body stores and reads, and which names it computes from which: the
facts the race checks (device_rules.py, overlapping_reads.py) read from the source."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .aliases import LANGUAGE, Aliases
from .targets import target_names


def stored_tensor(node: cst.CSTNode) -> str | None:
    """The tensor a store writes: `out[...] = v`'s out, `hl.store(out, ...)`'s."""
    target = node.value if isinstance(node, cst.Subscript) else node.args[0].value
    return target.value if isinstance(target, cst.Name) else None


def hl_loads(body: cst.CSTNode, aliases: Aliases) -> list[cst.Call]:
    """The body's `hl.load(tensor, index)` calls (with a tensor argument)."""
    calls = m.findall(body, m.Call())
    return [c for c in calls if aliases.qualified(c.func) == f"{LANGUAGE}.load" and c.args]


def read_names(node) -> set[str]:
    """The names read in a node (or a subscript's sequence of index elements)."""
    if node is None:
        return set()
    if isinstance(node, (list, tuple)):
        return set().union(*(read_names(part) for part in node))
    return {n.value for n in m.findall(node, m.Name())}


def dependencies(body: cst.BaseSuite) -> dict[str, set[str]]:
    """name → the names its assignments read (over the whole loop body, in any order)."""
    depends: dict[str, set[str]] = {}
    for found in m.findall(body, m.Assign() | m.AugAssign() | m.AnnAssign() | m.For()):
        if isinstance(found, cst.For):
            targets, read = [found.target], read_names(found.iter)
        elif isinstance(found, cst.Assign):
            targets, read = [t.target for t in found.targets], read_names(found.value)
        else:
            targets, read = [found.target], read_names(found.value)
        for target in targets:
            for name in target_names(target):
                depends.setdefault(name, set()).update(read)
    return depends


def reached_from(start: set[str], depends: dict[str, set[str]]) -> set[str]:
    """`start` and every name whose value is computed from one of them."""
    reached = set(start)
    changed = True
    while changed:
        changed = False
        for name, read in depends.items():
            if name not in reached and read & reached:
                reached.add(name)
                changed = True
    return reached


def loop_stores(body: cst.BaseSuite, aliases: Aliases, guards: frozenset[str] = frozenset()):
    """(index, value, names in enclosing if tests, node) of each store in the loop body."""
    for statement in body.body:
        if isinstance(statement, cst.If):
            inner = guards | read_names(statement.test)
            yield from loop_stores(statement.body, aliases, inner)
            orelse = statement.orelse
            while orelse is not None:
                if isinstance(orelse, cst.If):
                    inner = inner | read_names(orelse.test)
                    yield from loop_stores(orelse.body, aliases, inner)
                    orelse = orelse.orelse
                else:
                    yield from loop_stores(orelse.body, aliases, inner)
                    orelse = None
        elif isinstance(statement, cst.For):
            yield from loop_stores(statement.body, aliases, guards)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                yield from _small_stores(small, aliases, guards)


def _small_stores(small: cst.BaseSmallStatement, aliases: Aliases, guards: frozenset[str]):
    if isinstance(small, cst.Assign):
        for target in small.targets:
            if isinstance(target.target, cst.Subscript):
                yield target.target.slice, small.value, guards, target.target
    elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Subscript):
        yield small.target.slice, small.value, guards, small.target
    elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        call = small.value
        if aliases.qualified(call.func) == f"{LANGUAGE}.store" and len(call.args) >= 3:
            yield call.args[1].value, call.args[2].value, guards, call
