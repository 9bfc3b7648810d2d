"""A call's arguments against the kernel's signature, before anything is transpiled: the count and
the keywords (Python's TypeError, naming the signature), a tensor parameter given no tensor; and
a decorated function the decorator refuses (a method), at its line."""

from __future__ import annotations

import difflib
import inspect
import linecache
from collections.abc import Callable

import torch

from ..compile.frontend.errors import TranspileError, UnsupportedConstructError

# What makes a tensor of a value that is none, by the value's type name: the fix a message names.
TENSOR_FROM = {
    "list": "torch.tensor(value) makes one",
    "tuple": "torch.tensor(value) makes one",
    "ndarray": "torch.from_numpy(value) makes one",
    "int": "torch.tensor(value) makes a 0-d one, or annotate the parameter `int`",
    "float": "torch.tensor(value) makes a 0-d one, or annotate the parameter `float`",
    "NoneType": "annotate the parameter `torch.Tensor | None = None` to make it optional",
}


def is_tensor_annotation(annotation: object) -> bool:
    """`torch.Tensor` exactly (the class, or its text under `from __future__ import annotations`);
    an optional or union annotation is not checked."""
    if annotation is torch.Tensor:
        return True
    return isinstance(annotation, str) and annotation.strip() in ("torch.Tensor", "Tensor")


def check_call(name: str, signature: inspect.Signature, args: tuple, kwargs: dict) -> None:
    """Refuse a call the kernel's own signature refuses (as Python would) and a non-tensor
    argument for a parameter annotated `torch.Tensor`, each naming the parameter and the fix."""
    shown = f"{name}({', '.join(map(_parameter_text, signature.parameters.values()))})"
    names = [p for p, v in signature.parameters.items() if v.kind != v.VAR_KEYWORD]
    for keyword in kwargs:
        if keyword not in names and len(names) == len(signature.parameters):
            close = difflib.get_close_matches(keyword, names, n=1)
            meant = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(
                f"{name}() got an unexpected keyword argument {keyword!r}{meant} (the kernel "
                f"is {shown})"
            )
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{name}(): {error} (the kernel is {shown})") from None
    for parameter, value in bound.arguments.items():
        if isinstance(value, int) and not -(2**63) <= value < 2**63:  # Triton's widest int
            raise OverflowError(
                f"{name}() argument '{parameter}'={value} does not fit in int64, the widest int "
                "a kernel takes"
            )
        if isinstance(value, torch.Tensor) and value.layout != torch.strided:  # was: inside
            raise TypeError(  # the generated module, "Cannot access storage of SparseTensorImpl"
                f"{name}() argument '{parameter}' is a {value.layout} tensor: a kernel reads "
                f"strided memory; pass {parameter}.to_dense()"
            )
        annotation = signature.parameters[parameter].annotation
        if is_tensor_annotation(annotation) and not isinstance(value, torch.Tensor):
            kind = type(value).__name__
            fix = TENSOR_FROM.get(kind, "pass a torch.Tensor")
            raise TypeError(
                f"{name}() argument '{parameter}' must be a torch.Tensor, not {kind}: {fix}"
            )


def _parameter_text(parameter: inspect.Parameter) -> str:
    """`x: torch.Tensor`, `eps: float = 1e-05`: as written, a string annotation unquoted."""
    text = parameter.name
    annotation = parameter.annotation
    if annotation is not parameter.empty:
        shown = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
        text += f": {shown}"
    if parameter.default is not parameter.empty:
        text += f" = {parameter.default!r}"
    return text


def definition_error(
    kind: type[TranspileError], fn: Callable, message: str, hint: str, marker: list[str]
) -> TranspileError:
    """`kind` at the decorated function's first line (its decorator's), the caret under the
    first of `marker` found there (else the line's first character)."""
    code = fn.__code__
    line = linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n")
    column = (
        line.find(marker[0]) if marker and marker[0] in line else len(line) - len(line.lstrip())
    )
    return kind(
        message,
        filename=code.co_filename,
        lineno=code.co_firstlineno,
        col_offset=column,
        source_line=line,
        hint=hint,
    )


def refuse_method(fn: Callable) -> None:
    """`class M: @helion.kernel() def k(self, x)`: a Kernel is no descriptor, so `M().k(x)`
    would pass x as self (a kernel in a class body without `self` is called as a function)."""
    owner = fn.__qualname__.split(".")[-2:-1]
    first = next(iter(inspect.signature(fn).parameters), None)
    if owner and owner[0] != "<locals>" and first in ("self", "cls"):
        raise definition_error(
            UnsupportedConstructError,
            fn,
            f"kernel {fn.__name__}() is defined in class {owner[0]}: kernels are module-level "
            "functions",
            f"define it at module level and call it from the method (`return {fn.__name__}(x)`)",
            [],
        )
