"""What example arguments say per kernel parameter: value, rank, and constants for device code."""

from __future__ import annotations

import ast

import libcst as cst

from .aliases import Aliases
from .kernels import KernelFunction


def positional_examples(
    kernels: list[KernelFunction], example_args
) -> dict[str, list[tuple[str, object]]]:
    """Per kernel with example arguments, its positional parameters paired with them.
    `example_args` is a dict by kernel name, or one tuple when there is a single kernel."""
    if example_args is None:
        return {}
    if not isinstance(example_args, dict):
        if len(kernels) != 1:
            return {}
        example_args = {kernels[0].name: example_args}
    paired = {}
    for kernel in kernels:
        args = example_args.get(kernel.name)
        if args is not None:
            params = kernel.node.params
            positional = [*params.posonly_params, *params.params]
            names = [p.name.value for p in positional]
            left = [*positional[len(args) :], *params.kwonly_params]  # their defaults apply
            defaults = [(p.name.value, _literal(p.default)) for p in left if p.default is not None]
            paired[kernel.name] = [
                *zip(names, args),
                *((name, value) for name, value in defaults if value is not _NOT_LITERAL),
            ]
    return paired


_NOT_LITERAL = object()


def _literal(node: cst.BaseExpression) -> object:
    """A parameter's default as a Python value (None, a string, a number, a bool), else
    _NOT_LITERAL: arguments not given take it, as when the kernel is called."""
    try:
        return ast.literal_eval(cst.Module(body=[]).code_for_node(node))
    except (ValueError, SyntaxError):
        return _NOT_LITERAL


def ranks_from_examples(kernels: list[KernelFunction], example_args) -> dict[str, dict[str, int]]:
    """Tensor ranks per kernel parameter, from example arguments (to specialise hl.tile(x.size()))."""
    return {
        kernel: {name: value.dim() for name, value in pairs if hasattr(value, "dim")}
        for kernel, pairs in positional_examples(kernels, example_args).items()
    }


def present_from_examples(kernels: list[KernelFunction], example_args) -> dict[str, set[str]]:
    """Per kernel, the parameters an example gives a value that is neither None nor a tensor
    (`scale: float | None = None` called with 2.0): `scale is None` is False for the call."""
    return {
        kernel: {name for name, value in pairs if value is not None and not hasattr(value, "dim")}
        for kernel, pairs in positional_examples(kernels, example_args).items()
    }


def constants_from_examples(
    kernels: list[KernelFunction], example_args, aliases: Aliases
) -> dict[str, dict]:
    """Arguments device code sees as constants while transpiling, per kernel parameter: None
    (`if labels is not None:`), strings (`if reduction == "sum":`), bools (`if log_target:`),
    torch dtypes (`x[tile].to(dtype)`), and the values of parameters annotated `hl.constexpr`."""
    import torch

    constexpr = {
        kernel.name: {
            p.name.value
            for p in [*kernel.node.params.posonly_params, *kernel.node.params.params]
            if p.annotation is not None
            and aliases.qualified(p.annotation.annotation) == "helion.language.constexpr"
        }
        for kernel in kernels
    }
    return {
        kernel: {
            name: value
            for name, value in pairs
            if value is None
            or isinstance(value, (str, bool, torch.dtype))
            or (name in constexpr[kernel] and isinstance(value, (bool, int, float)))
        }
        for kernel, pairs in positional_examples(kernels, example_args).items()
    }
