"""Finds the kernel functions a module defines and each kernel's device loops."""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

import libcst as cst
import libcst.matchers as m

from ..ops.hl import DEVICE_LOOPS, JAGGED_LOOPS, LANGUAGE_NAMES, REFUSED_LANGUAGE  # noqa: F401 - REFUSED_LANGUAGE re-exported
from .aliases import HELION, LANGUAGE, Aliases
from .annotations import refuse_unknown_annotations
from .config_check import plural_config_text, plural_configs_text
from .errors import (
    ConfigError,
    NoDeviceLoopError,
    TileOutsideKernelError,
    UndefinedNameError,
    UnknownLanguageNameError,
    UnsupportedConstructError,
    near_names,
)
from .kernel_forms import refuse_kernel_form, refuse_kernel_methods
from .kernel_settings import BOTH_CONFIGS, both_configs, literal, setting_problem
from .nested_loops import refuse_nested_loops
from .source import Source
from .targets import names_bound_in


@dataclass
class KernelFunction:
    """A @helion.kernel function: its decorator's settings, host statements and device loops."""

    node: cst.FunctionDef
    settings: dict[str, object]
    body: list[cst.BaseStatement]  # in order; device loops among them
    loops: list[cst.For]

    @property
    def name(self) -> str:
        return self.node.name.value


def device_loop_kind(node: cst.CSTNode, aliases: Aliases) -> str | None:
    """'tile' or 'grid' when `node` is `for ... in hl.tile(...)` / `hl.grid(...)`."""
    if not (isinstance(node, cst.For) and isinstance(node.iter, cst.Call)):
        return None
    qualified = aliases.qualified(node.iter.func)
    namespace, _, name = (qualified or "").rpartition(".")
    return name if namespace == LANGUAGE and name in DEVICE_LOOPS else None


def is_barrier(node: cst.CSTNode, aliases: Aliases) -> bool:
    """`hl.barrier()` as a statement of its own (the only place it means something)."""
    return (
        m.matches(node, m.SimpleStatementLine(body=[m.Expr(value=m.Call(args=[]))]))
        and aliases.qualified(node.body[0].value.func) == f"{LANGUAGE}.barrier"
    )


PLURAL_SPELLINGS = {"config": plural_config_text, "configs": plural_configs_text}


def _kernel_settings(decorator: cst.Decorator, source: Source) -> dict[str, object]:
    """The decorator's keywords as source text; one this transpiler neither honours nor knows
    to be harmless (kernel_settings.SETTINGS) is refused at its column."""
    settings: dict[str, object] = {}
    if isinstance(decorator.decorator, cst.Call):
        for arg in decorator.decorator.args:
            if arg.keyword is not None:
                text = source.code(arg.value)
                if arg.keyword.value in PLURAL_SPELLINGS:  # Helion's `block_size=16`: a list
                    text = PLURAL_SPELLINGS[arg.keyword.value](text)
                problem = setting_problem(arg.keyword.value, literal(text))
                if problem is not None:
                    raise source.error(ConfigError, arg.keyword, problem[0], hint=problem[1])
                settings[arg.keyword.value] = text
                if arg.keyword.value in ("config", "configs") and both_configs(settings):
                    raise source.error(ConfigError, arg.keyword, *BOTH_CONFIGS)
    return settings


def find_kernel_decorator(function: cst.FunctionDef, aliases: Aliases) -> cst.Decorator | None:
    """`@helion.kernel(...)` (or `aot_kernel`) on a function, None on a plain one."""
    return next(
        (
            d
            for d in function.decorators
            if aliases.qualified(
                d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            )
            in (f"{HELION}.kernel", f"{HELION}.aot_kernel")
        ),
        None,
    )


def find_kernels(
    source: Source, aliases: Aliases, only: tuple[str, ...] | None = None
) -> list[KernelFunction]:
    """The module's kernels (`only`: those named, the others neither checked nor returned)."""
    kernels: list[KernelFunction] = []
    skipped: list[cst.CSTNode] = []  # loops of kernels `only` leaves out
    helpers: dict[str, cst.FunctionDef] = {}  # plain module functions, checked once all are found
    for statement in source.module.body:
        if isinstance(statement, cst.FunctionDef):
            kernel_decorator = find_kernel_decorator(statement, aliases)
            if kernel_decorator is None:
                helpers[statement.name.value] = statement
                continue
            if only is not None and statement.name.value not in only:
                # not checked, but the helpers its loops call are not stray
                skipped += [s for s in statement.body.body if device_loop_kind(s, aliases)]
                continue
            refuse_kernel_form(statement, kernel_decorator, source)
            _refuse_star_parameters(statement, source)
            refuse_unknown_annotations(statement, source, aliases)
            body = list(statement.body.body)
            _refuse_unknown_loops(body, source, aliases)
            loops = [s for s in body if device_loop_kind(s, aliases)]
            if not loops:
                _refuse_unimported_language(body, source, aliases)
            refuse_nested_loops(body, source, lambda node: device_loop_kind(node, aliases))
            if not loops:
                raise source.error(
                    NoDeviceLoopError,
                    statement.name,
                    f"kernel {statement.name.value}() has no hl.tile / hl.grid loop at its top level",
                )
            _refuse_device_values_in_host_code(statement, body, loops, source)
            kernels.append(
                KernelFunction(statement, _kernel_settings(kernel_decorator, source), body, loops)
            )
        else:
            if isinstance(statement, cst.ClassDef):
                is_kernel = lambda f: find_kernel_decorator(f, aliases) is not None  # noqa: E731
                refuse_kernel_methods(statement, is_kernel, source)
            _refuse_stray_loops(statement, source, aliases)
    called = _called_helpers([loop for k in kernels for loop in k.loops] + skipped, helpers)
    for name, helper in helpers.items():
        if name not in called:  # a device loop in a helper runs where a device loop calls it
            _refuse_stray_loops(helper, source, aliases)
        else:  # inlined into the kernels: its annotations too name hl's names only
            refuse_unknown_annotations(helper, source, aliases)
    return kernels


def _called_helpers(loops: list[cst.CSTNode], helpers: dict[str, cst.FunctionDef]) -> set[str]:
    """The module functions the kernels' device loops call, and those these call in turn."""
    called: set[str] = set()
    pending = list(loops)
    while pending:
        for call in m.findall(pending.pop(), m.Call(func=m.Name())):
            name = call.func.value
            if name in helpers and name not in called:
                called.add(name)
                pending.append(helpers[name])
    return called


# Python's iterator builtins wrapped round a device loop (`enumerate(hl.tile(n))`): the fix
_WRAPPED_LOOPS = {
    "enumerate": "loop over hl.{name}(...) itself; a tile's number is tile.id",
    "zip": "one loop tiles several dimensions: for tile_m, tile_n in hl.tile([m, n])",
    "reversed": "tiles run in parallel, in no order: loop over hl.{name}(...) itself",
    "list": "loop over hl.{name}(...) itself",
    "sorted": "tiles run in parallel, in no order: loop over hl.{name}(...) itself",
    "iter": "loop over hl.{name}(...) itself",
}


def _refuse_wrapped_loop(statement: cst.For, source: Source, aliases: Aliases) -> None:
    """`for i, tile in enumerate(hl.tile(n))`: the device loop hidden in a Python builtin."""
    wrapper = statement.iter
    if not (
        isinstance(wrapper, cst.Call)
        and isinstance(wrapper.func, cst.Name)
        and wrapper.func.value in _WRAPPED_LOOPS
    ):
        return
    for argument in wrapper.args:
        inner = argument.value
        qualified = aliases.qualified(inner.func) if isinstance(inner, cst.Call) else None
        name = (qualified or "").removeprefix(f"{LANGUAGE}.")
        if qualified == f"{LANGUAGE}.{name}" and name in DEVICE_LOOPS + JAGGED_LOOPS:
            raise source.error(
                UnsupportedConstructError,
                wrapper.func,
                f"{wrapper.func.value}(hl.{name}(...)): a device loop is a for loop over "
                f"hl.{name}(...) itself",
                hint=_WRAPPED_LOOPS[wrapper.func.value].format(name=name),
            )


def _refuse_unknown_loops(body: list[cst.BaseStatement], source: Source, aliases: Aliases) -> None:
    """`for tile in hl.tiles(n)`: a misspelt language name, not a missing loop."""
    for statement in body:
        if isinstance(statement, cst.For):
            _refuse_wrapped_loop(statement, source, aliases)
        if isinstance(statement, cst.For) and isinstance(statement.iter, cst.Call):
            qualified = aliases.qualified(statement.iter.func) or ""
            name = qualified.removeprefix(f"{LANGUAGE}.")
            if name in JAGGED_LOOPS and qualified.startswith(f"{LANGUAGE}."):
                raise source.error(
                    UnsupportedConstructError,
                    statement.iter.func,
                    f"hl.{name} cannot be a kernel's outermost loop: its lengths come "
                    "from the lanes of an enclosing tile",
                    hint=f"for tile_b in hl.tile(n): ... for tile_k in hl.{name}(lengths):",
                )
            if qualified.startswith(f"{LANGUAGE}.") and name not in LANGUAGE_NAMES:
                raise source.error(
                    UnknownLanguageNameError,
                    statement.iter.func,
                    f"helion.language has no name {name!r}",
                    hint=near_names(name, LANGUAGE_NAMES) or None,
                )


def _refuse_device_values_in_host_code(
    function: cst.FunctionDef, body: list[cst.BaseStatement], loops: list, source: Source
) -> None:
    """`return v` after the loop, where only the device loop assigns `v`: not a host value."""
    loop_ids = {id(loop) for loop in loops}
    host = [s for s in body if id(s) not in loop_ids]
    host_names = {p.name.value for p in m.findall(function.params, m.Param())}
    for statement in host:
        host_names |= names_bound_in(statement)
    device_names = set().union(*(names_bound_in(loop) for loop in loops)) - host_names
    tiles = {n.value for loop in loops for n in m.findall(loop.target, m.Name())}
    after = body[body.index(loops[0]) :]
    for statement in after:
        if id(statement) in loop_ids or not device_names:
            continue
        text = textwrap.dedent(source.code(statement))
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        nodes = list(ast.walk(tree))
        read = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        read -= {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        read -= {n.arg for n in nodes if isinstance(n, ast.arg)}  # comprehensions, lambdas
        for name in sorted(read & device_names):
            place = next(iter(m.findall(statement, m.Name(name))), statement)
            if name in tiles:
                raise source.error(
                    UndefinedNameError,
                    place,
                    f"{name!r} is a device loop's tile: host code after the loop cannot use it",
                    hint="move the statement into the loop, or index the whole tensor here "
                    "(out[:], out.fill_(...))",
                )
            raise source.error(
                UndefinedNameError,
                place,
                f"{name!r} is a value of the device loop: host code after it cannot read it",
                hint="store it into a tensor inside the loop and use that tensor",
            )


def _refuse_unimported_language(
    body: list[cst.BaseStatement], source: Source, aliases: Aliases
) -> None:
    """`for tile in hl.tile(n)` where nothing binds `hl`: the import is missing."""
    for statement in body:
        if not m.matches(
            statement, m.For(iter=m.Call(func=m.Attribute(value=m.Name(), attr=m.Name())))
        ):
            continue
        func = statement.iter.func
        head = func.value.value
        if func.attr.value in DEVICE_LOOPS and head not in {*aliases.names, *aliases.globals}:
            raise source.error(
                UndefinedNameError,
                func.value,
                f"name {head!r} is not defined: the device loop's language is not imported",
                hint=f"import helion.language as {head}",
            )


def _refuse_star_parameters(function: cst.FunctionDef, source: Source) -> None:
    """`def kernel(*xs)` / `**options`: the launcher passes each argument by its name."""
    for star in (function.params.star_arg, function.params.star_kwarg):
        if isinstance(star, cst.Param):
            raise source.error(
                UnsupportedConstructError,
                star,
                f"a kernel parameter collecting arguments ({source.code(star).split(':')[0]})",
                hint="name each parameter: def kernel(x: torch.Tensor, y: torch.Tensor)",
            )


def _refuse_stray_loops(node: cst.CSTNode, source: Source, aliases: Aliases) -> None:
    for loop in m.findall(node, m.For(iter=m.Call())):
        if device_loop_kind(loop, aliases):
            raise source.error(
                TileOutsideKernelError,
                loop.iter,
                "a device loop outside a @helion.kernel function",
            )


def with_called_kernels(
    module: cst.Module, aliases: Aliases, only: tuple[str, ...]
) -> tuple[str, ...]:
    """`only` with the kernels its kernels call from host code, transitively (a kernel calling
    `double(x)` needs `double` in the module)."""
    kernels = {
        s.name.value: s
        for s in module.body
        if isinstance(s, cst.FunctionDef) and find_kernel_decorator(s, aliases) is not None
    }
    kept, todo = set(only), [kernels[name] for name in only if name in kernels]
    while todo:
        for call in m.findall(todo.pop().body, m.Call(func=m.Name())):
            name = call.func.value
            if name in kernels and name not in kept:
                kept.add(name)
                todo.append(kernels[name])
    return (*only, *sorted(kept - set(only)))
