"""Lowering of a call of a callable kernel argument: its expression inlined in place."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst
import libcst.matchers as m

from ..emit.codegen import assign
from ..frontend.callables import describe
from ..frontend.errors import CallableArgumentError
from ..frontend.targets import target_names
from .arguments import Arguments
from .scans import statement_targets
from .values import BLOCK, TUPLE, Value

if TYPE_CHECKING:
    from .kernel import KernelBuilder

_ALWAYS = {"True", "False", "None", "float", "int", "bool", "min", "max", "abs"}


class Inliner:
    """`epilogue(acc, (tile_m, tile_n))` → the callable's expression on those values."""

    def __init__(self, k: KernelBuilder) -> None:
        self.k = k

    def names_callable(self, name: str) -> bool:
        """Whether `name` here is a callable to inline (a host value of that name shadows a
        module's helper function; device values shadow both)."""
        if name not in self.k.callables or name in self.k.scope:
            return False
        spec = self.k.callables[name]
        return spec is None or spec.argument or name not in self.k.host.names

    def calls_callable(self, node: cst.Call) -> bool:
        return isinstance(node.func, cst.Name) and self.names_callable(node.func.value)

    def inline_callable(self, node: cst.Call) -> Value:
        name = node.func.value
        spec = self.k.callables[name]
        if spec is None:
            raise self.k.source.error(
                CallableArgumentError,
                node,
                f"{name} is a callable known only when the kernel is called",
                hint="call the kernel through transpiler.kernel (it specialises on the callable), "
                "or pass example_args= to transpile",
            )
        args = Arguments(node)
        count = len(args.positional)
        every = f"{name}({', '.join(spec.params)}{', *' + spec.rest if spec.rest else ''})"
        if args.keywords:
            keyword = next(iter(args.keywords))
            raise self.k.source.error(
                CallableArgumentError,
                node,
                f"{name}() is inlined, and takes its arguments by position, not {keyword}= "
                f"({describe(spec)})",
                hint=f"pass every argument by position: {every}",
            )
        if count < len(spec.params) or count > len(spec.params) and not spec.rest:
            at_least = "at least " if spec.rest else ""
            raise self.k.source.error(
                CallableArgumentError,
                node,
                f"{name}() takes {at_least}{len(spec.params)} positional arguments, "
                f"{count} given ({describe(spec)})",
                hint=f"pass every argument, defaults too: {every}",
            )
        values = [self.k.expressions.lower_expr(a) for a in args.positional]
        shown = f"{name}({', '.join(spec.params)})" if spec.statements else describe(spec)
        self.k.lines.append(
            self.k.make_line(self.k.depth, f"# {name}: {shown}", self.k.source.line_of(node))
        )
        saved_scope, saved_visible = self.k.scope, self.k.inlining
        self.k.scope = dict(zip(spec.params, values))
        if spec.rest:  # `*rest`: the arguments past the named ones, as a tuple
            self.k.scope[spec.rest] = Value(TUPLE, items=tuple(values[len(spec.params) :]))
        readable = set(spec.tensors) | set(spec.numbers) | set(spec.modules)
        if not spec.from_call:  # a default lambda or a module's function sees the module
            readable |= set(self.k.aliases.names) | self.k.aliases.globals
        locals_ = {t for statement in spec.statements for t in _assigned(statement)}
        clashes = sorted(locals_ & (set(saved_scope) | self.k.host.names))
        if clashes:
            raise self.k.source.error(
                CallableArgumentError,
                node,
                f"{name}() assigns {clashes[0]!r}, a name the kernel uses for another value",
                hint=f"rename {clashes[0]!r} inside {name}()",
            )
        self.k.inlining = (name, spec, readable | locals_ | _ALWAYS)
        outer = self.k.source.current
        try:
            for statement in spec.statements:  # a module helper's assignments, then its return
                self.k.statements.lower_statement(statement)
            if spec.statements:
                self.k.emit_comment(spec.body)
            result = self.k.expressions.lower_expr(spec.body)
        finally:
            self.k.scope, self.k.inlining = saved_scope, saved_visible
        return self.keep_helper_result(name, result, locals_, node, outer)

    def keep_helper_result(
        self, name: str, result: Value, locals_: set[str], node: cst.Call, outer: object
    ) -> Value:
        """A helper's result that reads its locals (`acc`), named unless the call is a whole
        assignment's value: a second call in the same expression assigns those locals again."""
        reads = (
            {n.id for n in ast.walk(result.code) if isinstance(n, ast.Name)}
            if result.code
            else set()
        )
        whole = m.matches(
            outer, m.SimpleStatementLine(body=[m.Assign(targets=[m.AssignTarget(target=m.Name())])])
        )
        if result.kind != BLOCK or not reads & locals_ or (whole and outer.body[0].value is node):
            return result
        kept = self.k.names.fresh(f"{name}_result")
        self.k.emit(assign(kept, result.code), self.k.source.line_of(node))
        return replace(result, code=ast.Name(id=kept), stored=None)

    def check_inlined_name(self, node: cst.Name) -> None:
        """Inside an inlined callable only its parameters and what it closes over are visible."""
        if self.k.inlining is None or node.value in self.k.scope:
            return
        name, spec, readable = self.k.inlining
        if node.value not in readable:
            raise self.k.source.error(
                CallableArgumentError,
                node,
                f"{name} ({describe(spec)}) reads {node.value!r}, which it neither takes nor "
                "closes over as a tensor, a number or a module",
            )

    def refuse_callable_value(self, node: cst.Name) -> None:
        if self.names_callable(node.value):
            raise self.k.source.error(
                CallableArgumentError,
                node,
                f"{node.value} is a callable: inside a device loop it can only be called",
                hint=f"write {node.value}(...)",
            )


def _assigned(statement: cst.BaseStatement) -> set[str]:
    """The names a helper's statement assigns: its targets, and in a device loop the loop's
    own names and every name its body assigns."""
    if not isinstance(statement, cst.For):
        return statement_targets(statement)
    names: set[str] = set()
    for node in m.findall(statement, m.For() | m.Assign() | m.AugAssign()):
        targets = (
            [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        )
        for target in targets:
            names.update(target_names(target))
    return names
