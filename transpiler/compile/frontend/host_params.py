"""The kernel's parameters as host facts: tensors, scalars, floats, optional and constexpr ones."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from .host import HostInfo

CONSTEXPR = "helion.language.constexpr"


def analyse_params(function: cst.FunctionDef, info: HostInfo) -> None:
    """Parameters: annotated `torch.Tensor` ones are tensors, and unannotated ones an example
    argument gives a tensor for (`def axpy(a, x, y)` called with a 0-d `a`); `bool` ones are
    flags (a `tl.constexpr`: Triton's interpreter cannot take a Python bool), and so are `str`
    ones and those with a string default; every one is a host name."""
    params = function.params
    for param in [*params.posonly_params, *params.params, *params.kwonly_params]:
        name = param.name.value
        info.params.append(name)
        info.names.add(name)
        annotation = param.annotation.annotation if param.annotation else None
        if (isinstance(annotation, cst.Name) and annotation.value == "float") or isinstance(
            param.default, cst.Float
        ):
            info.floats.add(name)
        if may_be_none(param):
            info.optional_params.add(name)
        if isinstance(annotation, cst.Name) and annotation.value in ("int", "float", "bool"):
            info.scalar_params.add(name)
        if isinstance(annotation, cst.Name) and annotation.value in ("bool", "str"):
            info.flags.add(name)  # (a GPU launch takes no Python string either)
        if isinstance(param.default, (cst.SimpleString, cst.ConcatenatedString)):
            info.flags.add(name)
        if annotation is not None and info.aliases.qualified(annotation) == CONSTEXPR:
            info.constexpr_params.add(name)
        qualified = info.aliases.qualified(annotation) if annotation is not None else None
        if qualified == "torch.dtype":
            info.dtype_params.add(name)
        if (qualified or "").endswith("Tensor") or (annotation is None and name in info.ranks):
            info.tensors.add(name)
            if name in info.ranks:
                info.tensor_sizes[name] = [f"{name}.size({d})" for d in range(info.ranks[name])]


def may_be_none(param: cst.Param) -> bool:
    """`x=None`, `x: T | None`, `x: Optional[T]`: an argument that may be None."""
    if isinstance(param.default, cst.Name) and param.default.value == "None":
        return True
    annotation = param.annotation.annotation if param.annotation else None
    if annotation is None:
        return False
    if m.findall(annotation, m.Name("None") | m.Name("Optional")):
        return True
    return isinstance(annotation, cst.SimpleString) and "None" in annotation.evaluated_value
