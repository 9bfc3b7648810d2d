"""The forms a kernel function cannot take, refused at the user's line: `async def`, a generator
(`yield` in its host code), a method of a class, a config given by position to the decorator."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .errors import ConfigError, UnsupportedConstructError
from .source import Source


def refuse_kernel_form(function: cst.FunctionDef, decorator: cst.Decorator, source: Source) -> None:
    """A kernel is a plain module function whose call launches and returns: each other form is
    an error at its keyword or argument."""
    name = function.name.value
    if function.asynchronous is not None:
        raise source.error(
            UnsupportedConstructError,
            function.asynchronous,
            f"kernel {name}() is an `async def`: a kernel's call launches and returns",
            hint="write `def` (a launch does not wait for the GPU; torch.cuda.synchronize() does)",
        )
    for found in m.findall(function.body, m.Yield()):
        if not _in_nested_function(function, found):
            raise source.error(
                UnsupportedConstructError,
                found,
                f"`yield` in kernel {name}(): a kernel returns its results, it is no generator",
                hint="return the tensors (a tuple for several); call the kernel in a loop of "
                "your own for a sequence",
            )
    call = decorator.decorator
    if isinstance(call, cst.Call):
        for argument in call.args:
            if argument.keyword is None:
                raise source.error(
                    ConfigError,
                    argument,
                    "the decorator takes its settings by keyword; this argument by position "
                    "would be dropped",
                    hint="write @helion.kernel(config=helion.Config(...)) (configs=[...] for "
                    "several)",
                )


def refuse_kernel_methods(statement: cst.ClassDef, is_kernel, source: Source) -> None:
    """`class M: @helion.kernel() def k(self, x)`: a kernel is a module function."""
    for function in m.findall(statement.body, m.FunctionDef()):
        if is_kernel(function):
            raise source.error(
                UnsupportedConstructError,
                function.name,
                f"kernel {function.name.value}() is defined in class {statement.name.value}: "
                "kernels are module-level functions",
                hint=f"define it at module level and call it from the method "
                f"(`return {function.name.value}(x)`)",
            )


def _in_nested_function(function: cst.FunctionDef, node: cst.CSTNode) -> bool:
    nested = m.findall(function.body, m.FunctionDef() | m.Lambda())
    return any(node in set(m.findall(inner, m.Yield())) for inner in nested)
