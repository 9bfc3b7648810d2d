"""Callable kernel arguments (an epilogue) and module helpers: their source, to inline in a kernel.

A kernel such as `matmul(x, y, epilogue=lambda acc, tile: acc)` calls `epilogue(acc, tiles)`
inside its device loop. The kernel is specialised on the callable: its one returned expression
is lowered in place, its parameters bound to the call's arguments. Tensors and numbers it closes
over become kernel arguments; modules it names (torch, F) keep their meaning.
"""

from __future__ import annotations

import inspect
import linecache
import textwrap
import types
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m
from libcst.metadata import MetadataWrapper, PositionProvider

from ..emit.lines import Line
from ..ops.hl import DEVICE_LOOPS
from .aliases import Aliases
from .errors import CallableArgumentError
from .examples import positional_examples
from .host import HostInfo
from .kernels import KernelFunction
from .source import Source


class CallableSourceError(Exception):
    """Why a callable cannot be inlined (the pipeline reports it at the user's line)."""


@dataclass(frozen=True)
class InlineCallable:
    """A callable to inline: its parameter names, its returned expression, its source text."""

    params: tuple[str, ...]
    body: cst.BaseExpression
    text: str  # the lambda / def as written, for comments and the launcher's check
    tensors: dict[str, int] = field(default_factory=dict)  # closed-over tensor → its rank
    numbers: tuple[str, ...] = ()  # closed-over ints, floats and bools
    modules: dict[str, str] = field(default_factory=dict)  # closed-over name → module name
    from_call: bool = True  # passed at the call (its closure read there), not a default
    argument: bool = True  # a kernel argument (False: a function the module defines)
    closure_values: dict = field(default_factory=dict)  # for the cost model: name → value
    # a module's function: the assignments (and device loops) before its `return`, in order
    statements: tuple[cst.BaseStatement, ...] = ()
    rest: str | None = None  # its `*args` name (`lambda score, *_: ...`): the extra arguments


def from_lambda_node(node: cst.Lambda, text: str) -> InlineCallable:
    """A lambda written in the kernel's own source (a parameter's default)."""
    return InlineCallable(_lambda_params(node), node.body, text, from_call=False)


def from_module_function(node: cst.FunctionDef, text: str) -> InlineCallable | None:
    """A plain function the kernel's module defines (None when it is not one `return`)."""
    if node.decorators or node.asynchronous:
        return None
    params = node.params
    if (
        params.star_arg is not cst.MaybeSentinel.DEFAULT
        or params.kwonly_params
        or params.star_kwarg
    ):
        return None
    statements = _body_statements(node)
    steps, last = statements[:-1], statements[-1:]
    if not last or not m.matches(
        last[0], m.SimpleStatementLine(body=[m.Return(value=m.DoNotCare())])
    ):
        return None
    body = last[0].body[0].value
    if body is None or not all(m.matches(s, _ASSIGNMENT_LINE | _DEVICE_LOOP) for s in steps):
        return None
    names = tuple(p.name.value for p in [*params.posonly_params, *params.params])
    return InlineCallable(
        names, body, text, from_call=False, argument=False, statements=tuple(steps)
    )


def module_function(module: cst.Module, name: str) -> cst.FunctionDef | None:
    """The module-level `def name(...)`, if the module has one."""
    return next(
        (s for s in module.body if isinstance(s, cst.FunctionDef) and s.name.value == name), None
    )


def not_inlined_because(node: cst.FunctionDef) -> tuple[cst.CSTNode, str]:
    """Where and why from_module_function refuses a def: the node to point at, in words."""
    if node.decorators or node.asynchronous:
        return node.name, "it is decorated or async"
    params = node.params
    if (
        params.star_arg is not cst.MaybeSentinel.DEFAULT
        or params.kwonly_params
        or params.star_kwarg
    ):
        return node.params, "it takes *args, keyword-only or **kwargs parameters"
    statements = _body_statements(node)
    for statement in statements[:-1]:
        if not m.matches(statement, _ASSIGNMENT_LINE | _DEVICE_LOOP):
            return statement, "this statement is neither an assignment nor a device loop"
    last = statements[-1] if statements else node.body
    if not m.matches(last, m.SimpleStatementLine(body=[m.Return(value=m.DoNotCare())])):
        return last, "it does not end in `return <expression>`"
    return node.name, "its return has no value"


# `name = ...` / `a, b = ...`: the statements a module's helper may run before its return,
# besides device loops (`for tile in hl.tile(n)` in a helper a kernel's device loop calls)
_ASSIGNMENT_LINE = m.SimpleStatementLine(
    body=[m.Assign(targets=[m.AssignTarget(target=m.Name() | m.Tuple())])]
)
_DEVICE_LOOP = m.For(iter=m.Call(func=m.Attribute(attr=m.OneOf(*map(m.Name, DEVICE_LOOPS)))))


def _body_statements(definition: cst.FunctionDef) -> list[cst.BaseStatement]:
    """A def's statements, a docstring left out."""
    statements = list(definition.body.body)
    if statements and m.matches(
        statements[0], m.SimpleStatementLine(body=[m.Expr(value=m.SimpleString())])
    ):
        statements = statements[1:]
    return statements


def from_object(function: object) -> InlineCallable:
    """A lambda or plain function passed to the kernel: its source found through its code."""
    code = getattr(function, "__code__", None)
    if not isinstance(function, types.FunctionType) or code is None:
        raise CallableSourceError(
            f"{function!r} is not a Python function or lambda (no source to inline)"
        )
    module = _module_of(code)
    params = code.co_varnames[: code.co_argcount]
    if code.co_kwonlyargcount or code.co_flags & inspect.CO_VARKEYWORDS:
        raise CallableSourceError("a callable with **kwargs or keyword-only parameters")
    rest = code.co_varnames[code.co_argcount] if code.co_flags & inspect.CO_VARARGS else None
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    line = code.co_firstlineno
    if function.__name__ == "<lambda>":
        found = [
            node
            for node in m.findall(module, m.Lambda())
            if positions[node].start.line == line and _lambda_params(node) == params
        ]
        if len(found) != 1:
            where = "no lambda" if not found else "two lambdas with the same parameters"
            raise CallableSourceError(f"{where} found on line {line} of {code.co_filename}")
        node = found[0]
        body, text = node.body, module.code_for_node(node)
    else:
        defs = [
            node
            for node in m.findall(module, m.FunctionDef(name=m.Name(function.__name__)))
            if positions[node].start.line <= line <= positions[node].end.line
        ]
        if not defs:
            raise CallableSourceError(f"the source of {function.__name__}() was not found")
        body = _returned_expression(defs[-1])
        text = module.code_for_node(defs[-1].with_changes(leading_lines=())).strip()
    tensors, numbers, modules = _closure(function)
    return InlineCallable(params, body, text, tensors, numbers, modules, rest=rest)


def _module_of(code: types.CodeType) -> cst.Module:
    lines = linecache.getlines(code.co_filename)
    if not lines:
        raise CallableSourceError(f"the source of {code.co_filename} is not available")
    try:
        return cst.parse_module("".join(lines))
    except cst.ParserSyntaxError as error:
        raise CallableSourceError(f"the source of {code.co_filename} does not parse") from error


def _lambda_params(node: cst.Lambda) -> tuple[str, ...]:
    return tuple(p.name.value for p in [*node.params.posonly_params, *node.params.params])


def _returned_expression(definition: cst.FunctionDef) -> cst.BaseExpression:
    """The expression of a def whose body is one `return` (a docstring before it is fine)."""
    statements = list(definition.body.body)
    if statements and m.matches(
        statements[0], m.SimpleStatementLine(body=[m.Expr(value=m.SimpleString())])
    ):
        statements = statements[1:]
    if (
        len(statements) == 1
        and isinstance(statements[0], cst.SimpleStatementLine)
        and len(statements[0].body) == 1
        and isinstance(statements[0].body[0], cst.Return)
        and statements[0].body[0].value is not None
    ):
        return statements[0].body[0].value
    raise CallableSourceError(
        f"{definition.name.value}() must be a single `return <expression>` to be inlined"
    )


def _closure(function: types.FunctionType) -> tuple[dict[str, int], tuple[str, ...], dict]:
    """The names the callable reads from outside: tensors (with ranks), numbers, modules."""
    import torch

    variables = inspect.getclosurevars(function)
    tensors: dict[str, int] = {}
    numbers: list[str] = []
    modules: dict[str, str] = {}
    for name, value in {**variables.globals, **variables.nonlocals}.items():
        if isinstance(value, torch.Tensor):
            tensors[name] = value.dim()
        elif isinstance(value, (bool, int, float)):
            numbers.append(name)
        elif isinstance(value, types.ModuleType):
            modules[name] = value.__name__
        else:
            raise CallableSourceError(
                f"it closes over {name!r}, a {type(value).__name__}: only tensors, numbers and "
                "modules can cross into the kernel"
            )
    return tensors, tuple(numbers), modules


def describe(spec: InlineCallable) -> str:
    """The callable's source on one line (for comments and messages)."""
    return " ".join(textwrap.dedent(spec.text).split())


def callable_specs(
    source: Source, aliases: Aliases, kernel: KernelFunction, host: HostInfo, given: dict
) -> dict[str, InlineCallable | None]:
    """The kernel's callable parameters: a lambda default, or the callable given at the call
    (None: annotated Callable, known only then). What a given one closes over becomes host
    names: tensors and numbers the launcher reads from it, modules the kernel may name."""
    specs: dict[str, InlineCallable | None] = {}
    for statement in source.module.body:  # helpers like `def double(v): return v * 2`
        if isinstance(statement, cst.FunctionDef) and statement is not kernel.node:
            text = source.code(statement.with_changes(leading_lines=())).strip()
            helper = from_module_function(statement, text)
            if helper is not None:
                specs[statement.name.value] = helper
    params = kernel.node.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        name = param.name.value
        annotation = param.annotation.annotation if param.annotation else None
        if name in given:
            try:
                spec = from_object(given[name])
            except CallableSourceError as error:
                raise source.error(
                    CallableArgumentError, param, f"{name} cannot be inlined: {error}"
                ) from None
            clashes = [n for n in [*spec.tensors, *spec.numbers] if n in host.names]
            clashes += [
                n for n, module in spec.modules.items() if aliases.names.get(n, module) != module
            ]
            if clashes:
                raise source.error(
                    CallableArgumentError,
                    param,
                    f"{name} closes over {clashes[0]!r}, a name the kernel uses for another value",
                    hint="rename the variable the callable closes over",
                )
            for tensor, rank in spec.tensors.items():
                host.names.add(tensor)
                host.tensors.add(tensor)
                host.tensor_sizes[tensor] = [f"{tensor}.size({d})" for d in range(rank)]
            host.names.update(spec.numbers)
            for alias, module in spec.modules.items():
                aliases.names.setdefault(alias, module)
            specs[name] = spec
        elif isinstance(param.default, cst.Lambda):
            specs[name] = from_lambda_node(param.default, source.code(param.default))
        elif annotation is not None and (
            aliases.qualified(annotation) or source.code(annotation)
        ).split("[")[0].endswith("Callable"):
            specs[name] = None
    for name, spec in specs.items():
        if spec is None or spec.argument:
            host.names.discard(name)
    return specs


def launcher_lines(specs: dict, lineno: int) -> list:
    """Launcher lines: refuse a callable other than the inlined one; read its closure."""
    lines: list[Line] = []
    for name, spec in specs.items():
        if spec is None or not spec.argument:
            continue
        text = describe(spec)
        lines.append(Line(1, f"# {name} is inlined into the kernel: {text}", lineno))
        written = textwrap.dedent(spec.text).strip()
        if written.startswith("lambda") and "\n" in written:
            # a lambda over several lines (`lambda acc,\n    tile: acc` as a parameter's
            # default) parses only inside brackets: the check compiles it as a statement
            written = f"(\n{written}\n)"
        lines.append(Line(1, f"inlined_callable({name}, {written!r})", lineno))
        for closed in [*spec.tensors, *spec.numbers]:
            lines.append(Line(1, f"{closed} = closure_value({name}, {closed!r})", lineno))
    return lines


def callables_from_examples(kernels: list[KernelFunction], example_args) -> dict[str, dict]:
    """Callable positional example arguments, by kernel and parameter name."""
    found: dict[str, dict] = {}
    for kernel, pairs in positional_examples(kernels, example_args).items():
        for name, value in pairs:
            if callable(value) and not hasattr(value, "dim"):
                found.setdefault(kernel, {})[name] = value
    return found
