"""The module text around a decorated function: its imports, constants and helpers, the function
on its own source lines (what `@kernel` transpiles)."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
import types
from collections.abc import Callable, Iterator

import torch


def module_source(fn: Callable) -> tuple[str, str]:
    """A module around the function: its imports and constants, the function on its own lines."""
    lines, first_line = inspect.getsourcelines(fn)
    function_text = textwrap.dedent("".join(lines))
    prelude: list[str] = []  # one-line statements: imports, constants
    definitions: list[str] = []  # functions the kernel calls, several lines each
    code_names = set(_names_used(fn))
    code_names |= {  # hl.triton_kernel("name", ...): a @triton.jit function named by a string
        name for name in _strings_used(fn) if _is_jit_function(fn.__globals__.get(name))
    }
    grown = True
    while grown:  # helpers read what their own helpers read (@triton.jit ones too)
        before = len(code_names)
        for name, value in list(fn.__globals__.items()):
            if isinstance(value, types.FunctionType) and name in code_names:
                code_names |= set(_names_used(value))
            elif _is_jit_function(value) and name in code_names:
                code_names |= set(_names_used(value.fn))
        grown = len(code_names) > before
    always = ("transpiler", "helion", "torch", "triton")  # the decorator and annotations need them
    for name, value in fn.__globals__.items():
        if not name.isidentifier():
            continue  # e.g. pytest's `@py_builtins`
        if isinstance(value, types.ModuleType):
            if name in code_names or value.__name__.split(".")[0] in always:
                prelude.append(f"import {value.__name__} as {name}")
        elif (
            name in code_names
            and isinstance(value, (bool, int, float, torch.dtype))
            and not name.startswith("__")
        ):
            prelude.append(f"{name} = {value!r}")  # a dtype's repr is its code: torch.float16
        elif name in code_names and _is_constexpr_number(value):  # read by a @triton.jit helper
            prelude.append(f"{name} = {_language_alias(fn, prelude)}.constexpr({value.value!r})")
        elif name in code_names and _is_jit_function(value):  # for hl.triton_kernel(fn, ...)
            definitions.append(textwrap.dedent(inspect.getsource(value.fn)).rstrip("\n"))
        elif name in code_names and (helper := _one_return_helper(value)) is not None:
            definitions.append(helper)  # inlined where a device loop calls it
        elif name in code_names and getattr(value, "__module__", None) == "typing":
            prelude.append(f"from typing import {value.__name__} as {name}")  # typing.cast
        elif name in code_names and _our_api(value):  # `from helion.autotuner import ...`
            prelude.append(f"from {value.__module__} import {value.__qualname__} as {name}")
        elif value is torch.Tensor and name in _annotation_names(fn):  # `from torch import Tensor`
            prelude.append(f"from torch import Tensor as {name}")  # marks tensor parameters
    filename = inspect.getsourcefile(fn) or "<kernel>"
    if function_text.startswith(("def ", "async def ")):  # helion.kernel(fn), not a decorator
        prelude.append("import transpiler as _kernel_api")
        function_text = "@_kernel_api.kernel()\n" + function_text
        first_line -= 1  # the decorator's line comes before the def's
    return _placed(prelude, definitions, function_text, first_line), filename


def _placed(prelude: list[str], definitions: list[str], function_text: str, first_line: int) -> str:
    """The module text with the function on its own line numbers (so errors cite the file's
    lines): the prelude above it, the definitions too where they fit, else after it; one-line
    statements joined by `;` where even they do not fit."""
    room = first_line - 1
    above = prelude + [line for d in definitions for line in d.split("\n")]
    after: list[str] = []
    if len(above) > room:
        above, after = list(prelude), definitions
    if len(above) > room and prelude:
        above = ["; ".join(prelude)]
    padding = max(room - len(above), 0)
    text = ("\n".join(above) + "\n" if above else "") + "\n" * padding + function_text
    return text + "".join(f"\n\n{d}\n" for d in after)


def _one_return_helper(value: object) -> str | None:
    """The source of a plain module function whose body is assignments (and `for` loops: device
    loops of a helper a device loop calls), then one `return`."""
    if not isinstance(value, types.FunctionType) or value.__name__ == "<lambda>":
        return None
    try:
        text = textwrap.dedent(inspect.getsource(value)).rstrip("\n")
        (definition,) = ast.parse(text).body
    except (OSError, TypeError, SyntaxError, ValueError):
        return None
    if not isinstance(definition, ast.FunctionDef) or definition.decorator_list:
        return None
    body = definition.body[1:] if ast.get_docstring(definition) else definition.body
    steps_are_assignments = all(isinstance(step, (ast.Assign, ast.For)) for step in body[:-1])
    return text if body and isinstance(body[-1], ast.Return) and steps_are_assignments else None


def _is_jit_function(value: object) -> bool:
    """A @triton.jit function: a JITFunction, or under the interpreter an InterpretedFunction."""
    return type(value).__module__.startswith("triton.") and callable(getattr(value, "fn", None))


def _is_constexpr_number(value: object) -> bool:
    """`SCALE = tl.constexpr(2.0)`: a module constant @triton.jit functions may read."""
    import triton.language  # here: the runtime picks the interpreter before triton loads

    return isinstance(value, triton.language.constexpr) and isinstance(
        value.value, (bool, int, float)
    )


def _language_alias(fn: Callable, prelude: list[str]) -> str:
    """The module's name for triton.language (imported under its own name when it has none)."""
    for name, value in fn.__globals__.items():
        if isinstance(value, types.ModuleType) and value.__name__ == "triton.language":
            return name
    if "import triton.language" not in prelude:
        prelude.append("import triton.language")
    return "triton.language"


def _our_api(value: object) -> bool:
    """A class or function of the transpiler's Helion API (`PowerOfTwoFragment`, `hl.tile`)."""
    module = getattr(value, "__module__", None) or ""
    return (
        isinstance(value, (type, types.FunctionType))
        and module.split(".")[0] == "transpiler"
        and "." not in getattr(value, "__qualname__", ".")
    )


def _annotation_names(fn: Callable) -> set[str]:
    """The names the parameter and return annotations spell (strings under `annotations`)."""
    names: set[str] = set()
    for annotation in getattr(fn, "__annotations__", {}).values():
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        names.update(re.findall(r"[A-Za-z_]\w*", text))
    return names


def _strings_used(fn: Callable) -> Iterator[str]:
    """The identifier-like string constants of the function (and of functions nested in it)."""
    for constant in fn.__code__.co_consts:
        if isinstance(constant, str) and constant.isidentifier():
            yield constant
        elif isinstance(constant, types.CodeType):
            yield from (c for c in constant.co_consts if isinstance(c, str) and c.isidentifier())


def _names_used(fn: Callable) -> Iterator[str]:
    code = fn.__code__
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            yield from constant.co_names
