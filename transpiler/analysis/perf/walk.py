"""Walks a kernel's device loops (statements, loops, loads, stores) and says what they cost."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import Any

import libcst as cst
import libcst.matchers as m
import torch

from ...compile.emit.lines import BlockDefault
from ...compile.frontend.aliases import collect_aliases
from ...compile.frontend.kernels import device_loop_kind, find_kernels
from ...compile.frontend.source import Source
from ...compile.ops.hl import HL_BY_NAME, INDEX, LANES
from .cost import Cost, Dim, KernelWork, Loop, Work
from .expressions import Expressions
from .host_eval import CostModelError, bind_arguments, module_namespace, run_host_statement
from .indexing import Indexing
from .op_calls import Calls
from .values import Block, Group, Host, Tiles

BlockSizes = Mapping[str, int] | Sequence[int | None] | None


def analyse(
    source: str,
    name: str | None,
    args: tuple,
    kwargs: dict[str, Any] | None = None,
    *,
    filename: str = "<string>",
    blocks: Sequence[BlockDefault] = (),
) -> KernelWork:
    """What kernel `name` of `source` does when called with `args` (sizes from the arguments);
    `blocks`: lowering's tunable blocks (Transpiled.block_defaults), the config's order and the
    launcher's defaults (`analyse_kernel` passes them)."""
    parsed = Source.parse(source, filename)
    aliases = collect_aliases(parsed.module)
    kernels = find_kernels(parsed, aliases)
    chosen = [k for k in kernels if name is None or k.name == name]
    if not chosen:
        raise CostModelError(f"no kernel named {name!r} (kernels: {[k.name for k in kernels]})")
    kernel = chosen[0]
    namespace = module_namespace(parsed, aliases)
    scope = {**namespace, **bind_arguments(parsed, kernel, namespace, args, kwargs or {})}
    work = KernelWork(
        kernel.name, config_blocks=_config_blocks(kernel.settings), lowered=tuple(blocks)
    )
    walker = Walker(parsed, aliases, scope, work)
    for statement in kernel.body:
        if device_loop_kind(statement, aliases):
            walker.top_loop(statement)
        else:
            run_host_statement(statement, parsed, aliases, scope)
    return work


def kernel_cost(
    source: str,
    name: str | None,
    args: tuple,
    kwargs: dict[str, Any] | None = None,
    *,
    block_sizes: BlockSizes = None,
) -> Cost:
    """FLOPs, minimum bytes and bytes as tiled of one call of kernel `name` on `args`."""
    return analyse(source, name, args, kwargs).cost(block_sizes)


def analyse_kernel(kernel: Any, args: tuple, kwargs: dict[str, Any] | None = None) -> KernelWork:
    """`analyse` of a `transpiler.kernel` object on `args`, its blocks numbered and defaulted
    as the module generated for those arguments numbers and sets them."""
    transpiled = kernel.transpiled(tuple(args), kwargs=kwargs or {})
    blocks = transpiled.block_defaults.get(kernel.name, ())
    return analyse(
        kernel.source, kernel.name, args, kwargs, filename=kernel.filename, blocks=blocks
    )


def cost_of(kernel: Any, *args: Any, block_sizes: BlockSizes = None, **kwargs: Any) -> Cost:
    """The cost of calling a `transpiler.kernel` object on `args`."""
    return analyse_kernel(kernel, args, kwargs).cost(block_sizes)


def _config_blocks(settings: dict[str, object]) -> list[int | None]:
    config = settings.get("config")
    if not isinstance(config, str):
        return []
    for node in ast.walk(ast.parse(config, mode="eval")):
        if isinstance(node, ast.keyword) and node.arg == "block_sizes":
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return []
            return list(value) if isinstance(value, (list, tuple)) else [value]
    return []


class Walker:
    """One kernel's device loops, statement by statement, recording into a KernelWork."""

    def __init__(self, source: Source, aliases, scope: dict, work: KernelWork) -> None:
        self.source, self.aliases, self.scope, self.work = source, aliases, scope, work
        self.env: dict[str, Any] = {}
        self.active: list[str] = []
        self.top = -1
        self.storages: dict[int, tuple[str, torch.Tensor]] = {}
        self.expressions, self.calls, self.indexing = Expressions(self), Calls(self), Indexing(self)

    def error(self, node: cst.CSTNode, what: str) -> CostModelError:
        line = self.source.line_of(node)
        return CostModelError(
            f"line {line}: the cost model does not follow {what}: {self.source.line_text(line).strip()}"
        )

    def record(self, flops: float, dims: tuple[Dim, ...], dot: bool = False) -> None:
        if flops:
            self.work.work.append(Work(flops, dims, tuple(self.active), dot))

    def top_loop(self, loop: cst.For) -> None:
        self.top += 1
        self.env = {}
        self.work.whole_sizes[self.top] = set()
        self.loop(loop, outer=True)

    def loop(self, loop: cst.For, outer: bool = False) -> None:
        keys = self.enter(loop, outer)
        self.statements(loop.body.body)
        del self.active[len(self.active) - len(keys) :]

    def enter(self, loop: cst.For, outer: bool) -> list[str]:
        call = loop.iter
        kind = device_loop_kind(loop, self.aliases)
        if kind is None and not self.is_range(call):
            raise self.error(loop, "this loop (hl.tile, hl.grid, range, hl.static_range)")
        tiles = kind is not None and HL_BY_NAME[kind].each == LANES  # else one index at a time
        positional = [a.value for a in call.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        values = [self.host_value(call, p) for p in positional]
        if kind is None:
            extents, blocks = [len(range(*values))], [None]
        else:
            # hl.tile(begin, end, block_size) / hl.grid(begin, end, step): the third by position
            third = "block_size" if tiles else "step"
            if len(values) == 3:
                keywords[third] = positional[2]
                values = values[:2]
            ends = _as_list(values[-1])
            begins = _as_list(values[0]) if len(values) == 2 else [0] * len(ends)
            given = self.host_value(call, keywords[third]) if third in keywords else []
            given = _as_list(given) + [None] * len(ends)
            blocks = given if tiles else [None] * len(ends)
            steps = [1] * len(ends) if tiles else [s or 1 for s in given]
            extents = [len(range(int(b), int(e), int(s))) for b, e, s in zip(begins, ends, steps)]
        names = _target_names(loop.target, len(extents))
        if names is None:
            raise self.error(loop, "this loop target")
        line = self.source.line_of(loop)
        keys = []
        for index, (extent, block_name) in enumerate(zip(extents, names)):
            key = f"{block_name}@{line}"
            self.work.loops[key] = Loop(
                key, block_name, extent, tiles, blocks[index], self.top, outer
            )
            keys.append(key)
        if tiles:
            targets = _target_list(loop.target)
            if len(targets) == 1:
                self.env[targets[0]] = Tiles(tuple(keys))
            else:
                self.env.update({t: Tiles((k,)) for t, k in zip(targets, keys)})
        else:
            for target, key in zip(_target_list(loop.target), keys):
                self.env[target] = Block(floating=False, loop=key)
        self.active.extend(keys)
        return keys

    def is_range(self, call: cst.BaseExpression) -> bool:
        """`range(...)`, or an hl call whose row is a loop of indices (hl.static_range)."""
        if not isinstance(call, cst.Call):
            return False
        if m.matches(call.func, m.Name("range")):
            return "range" not in self.env
        namespace, _, name = (self.aliases.qualified(call.func, set(self.env)) or "").rpartition(
            "."
        )
        return (
            namespace == "helion.language" and getattr(HL_BY_NAME.get(name), "each", None) == INDEX
        )

    def host_value(self, node: cst.CSTNode, expression: cst.BaseExpression) -> Any:
        value = self.expressions.ev(expression)
        if isinstance(value, Host):
            return value.value
        if isinstance(value, Group) and all(isinstance(i, Host) for i in value.items):
            return [i.value for i in value.items]
        raise self.error(node, "a loop bound or block size computed on the device")

    # -- statements -------------------------------------------------------------------------

    def statements(self, body: Sequence[cst.BaseStatement]) -> None:
        for statement in body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    self.small_statement(small)
            elif isinstance(statement, cst.For):
                self.loop(statement)
            elif isinstance(statement, cst.If):
                self.expressions.ev(statement.test)
                self.statements(statement.body.body)  # both branches: an upper bound
                orelse = statement.orelse
                if isinstance(orelse, cst.If):
                    self.statements([orelse])
                elif orelse is not None:
                    self.statements(orelse.body.body)
            else:
                raise self.error(statement, type(statement).__name__)

    def small_statement(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            value = self.expressions.ev(small.value)
            for target in small.targets:
                self.assign(target.target, value)
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            self.assign(small.target, self.expressions.ev(small.value))
        elif isinstance(small, cst.AugAssign):
            operator = type(small.operator).__name__.removesuffix("Assign")
            current = self.expressions.ev(small.target)
            self.assign(
                small.target,
                self.expressions.binary(small, operator, current, self.expressions.ev(small.value)),
            )
        elif isinstance(small, cst.Expr):
            if not isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                self.expressions.ev(small.value)
        elif not isinstance(small, cst.Pass):
            raise self.error(small, type(small).__name__)

    def assign(self, target: cst.BaseExpression, value: Any) -> None:
        if isinstance(target, cst.Name):
            self.env[target.value] = value
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, Group):
            for element, item in zip(target.elements, value.items):
                self.assign(element.value, item)
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, Tiles):
            for element, key in zip(target.elements, value.keys):  # tile_m, tile_n = tile
                self.assign(element.value, Tiles((key,)))
        elif isinstance(target, cst.Subscript):
            base = self.expressions.ev(target.value)
            if not (isinstance(base, Host) and isinstance(base.value, torch.Tensor)):
                raise self.error(target, "a store into a device value")
            self.indexing.access(target, base.value, store=True)
        else:
            raise self.error(target, "this assignment target")


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple, torch.Size)) else [value]


def _target_list(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    return [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]


def _target_names(target: cst.BaseExpression, count: int) -> list[str] | None:
    """Block names per dimension: the target's names (`tile#0`, `tile#1` for one name)."""
    names = _target_list(target)
    if len(names) == count:
        return names
    if len(names) == 1:
        return [f"{names[0]}#{i}" for i in range(count)]
    return None
