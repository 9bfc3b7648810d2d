"""The kernel's host code run on meta tensors, as its launcher spells it: the real sizes, dtypes
and views of every host name."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import libcst as cst
import torch
import triton

from ...compile.frontend.aliases import Aliases, canonical_module
from ...compile.frontend.errors import TranspileError
from ...compile.frontend.host_code import rewrite_host_statement
from ...compile.frontend.kernels import KernelFunction
from ...compile.frontend.source import Source

_OURS = {"helion": "transpiler", "helion.language": "transpiler.language"}


class CostModelError(ValueError):
    """The cost model cannot follow a construct; says which, and where."""


def _resolve(qualified: str) -> Any:
    """`torch.nn.functional` → the module; `math.sqrt` → the function; helion → transpiler."""
    dotted = canonical_module(qualified)
    for prefix, ours in _OURS.items():
        if dotted == prefix or dotted.startswith(prefix + "."):
            dotted = ours + dotted[len(prefix) :]
    try:
        return importlib.import_module(dotted)
    except ImportError:
        module, _, attribute = dotted.rpartition(".")
        return getattr(importlib.import_module(module), attribute)


def module_namespace(source: Source, aliases: Aliases) -> dict[str, Any]:
    """Imports (helion spelled as transpiler) and module-level constants, as the kernel sees them."""
    namespace: dict[str, Any] = {"__builtins__": __builtins__, "triton": triton}
    for name, qualified in aliases.names.items():
        try:
            namespace[name] = _resolve(qualified)
        except (ImportError, AttributeError):
            continue
    for statement in source.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(small, (cst.Assign, cst.AnnAssign)) for small in statement.body
        ):
            try:
                exec(source.code(statement), namespace)  # noqa: S102 - the user's own constants
            except Exception:  # noqa: BLE001 - a constant we cannot compute stays unknown
                continue
    return namespace


def meta(value: Any) -> Any:
    """A tensor argument as a meta tensor of the same shape, strides and dtype (no data)."""
    if isinstance(value, torch.Tensor):
        return torch.empty_strided(value.size(), value.stride(), dtype=value.dtype, device="meta")
    return value


def bind_arguments(
    source: Source,
    kernel: KernelFunction,
    namespace: dict[str, Any],
    args: tuple,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """The kernel's parameters bound to `args`, defaults applied, tensors as meta tensors."""
    params = kernel.node.params
    parameters: list[inspect.Parameter] = []
    groups = [
        (params.posonly_params, inspect.Parameter.POSITIONAL_ONLY),
        (params.params, inspect.Parameter.POSITIONAL_OR_KEYWORD),
        (params.kwonly_params, inspect.Parameter.KEYWORD_ONLY),
    ]
    for group, kind in groups:
        for param in group:
            default = inspect.Parameter.empty
            if param.default is not None:
                default = eval(source.code(param.default), namespace)  # noqa: S307
            parameters.append(inspect.Parameter(param.name.value, kind, default=default))
        if kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and isinstance(
            params.star_arg, cst.Param
        ):
            parameters.append(
                inspect.Parameter(params.star_arg.name.value, inspect.Parameter.VAR_POSITIONAL)
            )
    if params.star_kwarg is not None:
        parameters.append(
            inspect.Parameter(params.star_kwarg.name.value, inspect.Parameter.VAR_KEYWORD)
        )
    try:
        bound = inspect.Signature(parameters).bind(*args, **kwargs)
    except TypeError as error:
        raise CostModelError(f"{kernel.name}(): {error}") from None
    bound.apply_defaults()
    return {name: meta(value) for name, value in bound.arguments.items()}


def run_host_statement(
    statement: cst.BaseStatement, source: Source, aliases: Aliases, scope: dict
) -> None:
    """Run one host statement on meta tensors as the launcher spells it (hl calls in host code
    by their row's host spelling: `hl.register_block_size(n)` is the block the launcher picks,
    not the whole range reference mode takes); what cannot run leaves its names unknown."""
    if isinstance(statement, cst.SimpleStatementLine) and any(
        isinstance(small, cst.Return) for small in statement.body
    ):
        return
    try:
        code = rewrite_host_statement(statement, source, aliases)
    except TranspileError:  # the transpiler refuses it too: run the user's text
        code = source.code(statement)
    try:
        exec(code, scope)  # noqa: S102 - the user's host code, as the launcher runs it
    except Exception:  # noqa: BLE001 - e.g. .item() on a meta tensor
        for name in _assigned(statement):
            scope.pop(name, None)


def _assigned(statement: cst.BaseStatement) -> set[str]:
    import libcst.matchers as m

    names: set[str] = set()
    for target in m.findall(statement, m.AssignTarget()):
        names |= {n.value for n in m.findall(target, m.Name())}
    return names
