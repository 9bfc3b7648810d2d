"""The block's reusable loads: a tensor read again at the same pointers reuses the first load.

`torch.where(x[tile] > 0, x[tile], 0.1 * x[tile])` reads x[tile] three times; a person loads
it once. A load is reused only when what happened since is known not to change it, read from
the emitted lines themselves (lowering moves, drops and swaps lines in places, so the lines
are the truth): the first load's line is still in the block being written, every line since
sits at the same depth (no loop or branch was entered or left: a load before an inner loop or
inside an `if` is not reused after it), none is a store, an atomic, a barrier, a call that may
write memory or a loop's marker, and none assigns a name the pointers, the mask or the loaded
value's name read. When in doubt, the tensor is loaded again.

Pointer blocks are reused the same way: a load or store at pointers the block named already
(`out[tile] += x[tile]` loads and stores `out_ptrs`) goes through that name rather than
building them again, under the same rules except that memory written since does not matter:
pointers are addresses, not values.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..emit.codegen import assign, render
from ..emit.lines import Line
from ..emit.prelude import HELPERS
from .values import Value, block

if TYPE_CHECKING:
    from .kernel import KernelBuilder

# a call whose name says it may write memory or order threads: never crossed
_WRITES = re.compile(r"store|atomic|barrier|inline_asm|assert|print")
# calls known to compute values only: Triton's own (tl.*), its math libraries, the prelude's
# helpers, and methods of blocks and descriptors that read
_PURE_PREFIXES = ("tl.", "libdevice.", "triton.language.")
_PURE_METHODS = re.compile(r"to|load|reshape|trans|permute|broadcast_to|expand_dims")
_LOOP_MARK = "# reduction loop"  # where reduction_loops.py puts a loop later: a boundary

Key = tuple[str, str, str, bool, str]


@dataclass
class _Held:
    """A load kept under a name: the line that assigned it, in which list, at which depth."""

    value: Value  # its code a Name
    line: Line
    lines: list[Line]
    depth: int
    reads: frozenset[str]  # names the pointers and mask read, and the value's own name


@dataclass
class _Pending:
    """A load returned unnamed to an assignment (`a = x[tile]`): held once `a` is emitted."""

    key: Key
    value: Value
    reads: frozenset[str]


class ReusedLoads:
    """Loads made in the current block, by tensor, pointers, mask and kind of load."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k
        self.held: dict[Key, _Held] = {}
        self.pending: _Pending | None = None
        self.pointers: dict[tuple[str, str], _Held] = {}  # by tensor and the pointers' code

    @staticmethod
    def key(
        tensor: str, pointers: ast.expr, mask: ast.expr | None, native: bool, extra: str = ""
    ) -> Key:
        """What makes two loads the same: the tensor, the pointers' and mask's code, whether
        the values stay as stored (native) and anything else the load says (`extra`)."""
        return (tensor, ast.dump(pointers), ast.dump(mask) if mask else "", native, extra)

    def reuse(self, key: Key) -> Value | None:
        """The value of an earlier load with this key, where nothing since could change it."""
        held = self.held.get(key)
        if held is None:
            return None
        if not self._still_valid(held):
            del self.held[key]
            return None
        return held.value

    def hold(self, key: Key, value: Value, pointers: ast.expr, mask: ast.expr | None) -> None:
        """A load just emitted as `name = <load>` (the last line): later ones may reuse it."""
        if not isinstance(value.code, ast.Name) or not self.k.lines:
            return
        reads = _names(pointers, mask) | {value.code.id}
        self.held[key] = _Held(value, self.k.lines[-1], self.k.lines, self.k.depth, reads)

    def hold_when_named(
        self, key: Key, value: Value, pointers: ast.expr, mask: ast.expr | None
    ) -> None:
        """A load returned as code to the assignment being lowered: held by `named` after it."""
        self.pending = _Pending(key, value, _names(pointers, mask))

    def named(self, value: Value, name: str) -> None:
        """The statement `name = <value>` was lowered: if `value` is the pending load and the
        last lines are exactly that assignment, later loads may reuse `name`."""
        pending, self.pending = self.pending, None
        if pending is None or pending.value is not value or value.code is None:
            return
        text = render(assign(name, value.code))
        count = len(text.splitlines())
        last = self.k.lines[-count:]
        if len(last) != count or "\n".join(line.text for line in last) != text:
            return
        held = replace(value, code=ast.Name(id=name))
        self.held[pending.key] = _Held(
            held, last[-1], self.k.lines, self.k.depth, pending.reads | {name}
        )

    def hold_pointers(self, tensor: str, pointers: ast.expr, name: str) -> None:
        """`name = <pointers>` just emitted (the last line): later accesses may go through it."""
        if not self.k.lines:
            return
        value = block(ast.Name(id=name), ())
        reads = _names(pointers) | {name}
        held = _Held(value, self.k.lines[-1], self.k.lines, self.k.depth, reads)
        self.pointers[tensor, ast.dump(pointers)] = held

    def named_pointers(self, tensor: str, pointers: ast.expr) -> ast.Name | None:
        """The name an earlier line of the block gave these pointers into `tensor`, where no
        line since rebinds what they read."""
        held = self.pointers.get((tensor, ast.dump(pointers)))
        if held is None or not self._still_valid(held, memory_matters=False):
            return None
        return held.value.code if isinstance(held.value.code, ast.Name) else None

    def _still_valid(self, held: _Held, memory_matters: bool = True) -> bool:
        lines = self.k.lines
        if lines is not held.lines or held.depth != self.k.depth:
            return False
        at = next((i for i in range(len(lines) - 1, -1, -1) if lines[i] is held.line), None)
        if at is None:
            return False
        since = lines[at + 1 :]
        if any(line.depth != held.depth for line in since):
            return False  # a loop or branch entered or left since
        if any(line.text.lstrip().startswith(_LOOP_MARK) for line in since):
            return False
        try:
            tree = ast.parse(textwrap.dedent("\n".join(line.text for line in since)))
        except SyntaxError:
            return False
        return all(_harmless(statement, held.reads, memory_matters) for statement in tree.body)


def _harmless(statement: ast.stmt, reads: frozenset[str], memory_matters: bool = True) -> bool:
    """An assignment of computed values to names the held load does not read (`memory_matters`
    false: also a call on its own, a store or a barrier, which rebinds no name)."""
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
    elif not memory_matters and isinstance(statement, ast.Expr):
        return not any(isinstance(node, ast.NamedExpr) for node in ast.walk(statement))
    else:
        return False  # a call on its own (a store), a loop, a branch: may change memory
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
                return False
            if isinstance(node, ast.Name) and node.id in reads:
                return False
    value = statement.value
    return (
        value is None
        or not memory_matters
        or all(_pure(node) for node in ast.walk(value) if isinstance(node, ast.Call))
    )


def _pure(call: ast.Call) -> bool:
    name = ast.unparse(call.func)
    if _WRITES.search(name):
        return False
    if name.startswith(_PURE_PREFIXES) or name in HELPERS:
        return True
    return (
        isinstance(call.func, ast.Attribute) and _PURE_METHODS.fullmatch(call.func.attr) is not None
    )


def _names(*codes: ast.expr | None) -> frozenset[str]:
    return frozenset(
        node.id for code in codes if code is not None for node in ast.walk(code)
        if isinstance(node, ast.Name)
    )  # fmt: skip
