"""An augmented assignment in device code that torch would see through another name.

`w = v` makes torch's `w` the very tensor `v` names, so `v += 1` afterwards changes `w` too;
the generated code updates `v`'s value alone (`v = v + 1`), and a later read of `w` would get
the old value, silently. Such an update is refused at its operator when `w` is read before it is
rebound (in a loop, through the next iteration too: `prev = acc` at the end of one iteration,
`acc += x` in the next). `a = b = hl.zeros(...)` names one tensor twice as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from .errors import UnsupportedConstructError
from .names_read import names_read
from .source import Source
from .targets import target_names


@dataclass(frozen=True)
class _Event:
    kind: str  # "read", "bind" (a name gets a value), "update" (`name op= ...`)
    name: str
    node: cst.CSTNode
    source: str | None = None  # bind: the name whose tensor it takes (`w = v`), else None
    group: int = 0  # bind: names bound by one statement (`a = b = ...`) share its number


@dataclass
class _Walk:
    events: list[_Event] = field(default_factory=list)
    groups: int = 0

    def read(self, node: cst.CSTNode | None) -> None:
        self.events += [_Event("read", name.value, name) for name in names_read(node)]

    def assign(self, targets: list[cst.BaseExpression], value: cst.BaseExpression) -> None:
        self.read(value)
        self.groups += 1
        shared = self.groups  # `a = b = hl.zeros(...)`: one tensor, two names
        if _number(value):  # numbers are immutable: `j = i; i += 1` leaves j as it was
            shared = -shared
        source = value.value if isinstance(value, cst.Name) else None
        for target in targets:
            if not isinstance(target, (cst.Name, cst.Tuple, cst.List)):
                self.read(target)  # `out[i] = v`: reads out and i
            elif isinstance(target, cst.Name):
                self.events.append(_Event("bind", target.value, target, source, shared))
            else:  # `a, b = ...`: a tensor each
                for name in target_names(target):
                    self.groups += 1
                    self.events.append(_Event("bind", name, target, None, self.groups))

    def small(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            self.assign([t.target for t in small.targets], small.value)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.assign([small.target], small.value)
        elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            self.read(small.value)
            self.events.append(_Event("update", small.target.value, small))
        else:
            self.read(small)

    def block(self, statements) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, statement: cst.BaseStatement) -> None:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                self.small(small)
        elif isinstance(statement, (cst.For, cst.While)):
            head = statement.iter if isinstance(statement, cst.For) else statement.test
            for _ in range(2):  # twice: what one iteration leaves, the next one sees
                self.read(head)
                if isinstance(statement, cst.For):
                    for name in target_names(statement.target):
                        self.groups += 1  # a tile or an index: never a tensor updated
                        self.events.append(
                            _Event("bind", name, statement.target, None, -self.groups)
                        )
                self.block(statement.body.body)
        elif isinstance(statement, cst.If):
            self.read(statement.test)
            self.block(statement.body.body)
            if statement.orelse is not None:
                orelse = statement.orelse
                self.statement(orelse) if isinstance(orelse, cst.If) else self.block(
                    orelse.body.body
                )
        elif isinstance(statement, cst.With):
            self.block(statement.body.body)
        else:
            self.read(statement)


def check_aliased_updates(source: Source, loop: cst.For) -> None:
    """Refuse `v op= ...` in `loop` where another name torch shares v's tensor with is read
    after it (before that name is bound again)."""
    walk = _Walk()
    walk.statement(loop)
    tensors: dict[str, int] = {}  # name → the tensor it names (a number per binding)
    sites: dict[str, cst.CSTNode] = {}  # name → where it took another name's tensor
    for index, event in enumerate(walk.events):
        if event.kind == "bind":
            tensors[event.name] = (  # a name from outside the loop: maybe a number
                tensors.get(event.source, -abs(event.group)) if event.source else event.group
            )
            if event.source in tensors:
                sites[event.name] = event.node
        elif event.kind == "update" and tensors.get(event.name, -1) > 0:
            sharing = [
                n for n, t in tensors.items() if t == tensors[event.name] and n != event.name
            ]
            for other in sharing:
                if _read_before_bound(walk.events[index + 1 :], other):
                    _refuse(source, event, other, sites.get(other) or sites.get(event.name))


def _number(value: cst.BaseExpression) -> bool:
    """A literal, a tile's attribute (`tile.begin`), or arithmetic of them: a Python number."""
    if isinstance(value, (cst.Integer, cst.Float, cst.Attribute)):
        return True
    if isinstance(value, cst.UnaryOperation):
        return _number(value.expression)
    if isinstance(value, cst.BinaryOperation):
        return _number(value.left) and _number(value.right)
    return False


def _read_before_bound(events: list[_Event], name: str) -> bool:
    for event in events:
        if event.name == name:
            return event.kind == "read"
    return False


def _refuse(source: Source, event: _Event, other: str, site: cst.CSTNode | None) -> None:
    update = event.node
    assert isinstance(update, cst.AugAssign)
    name = event.name
    spelt = source.code(update.operator).strip()
    where = f" (line {source.line_of(site)})" if site is not None else ""
    raise source.error(
        UnsupportedConstructError,
        update.operator,
        f"`{name} {spelt} ...` changes in place the tensor {other!r} also names{where}: "
        f"torch's {other} would change with it, the generated code's would not",
        hint=f"write {name} = {name} {spelt.removesuffix('=')} ... for a new value "
        f"({other} keeps the old one), or {other} = {name} after the update if {other} should "
        "change with it",
    )
