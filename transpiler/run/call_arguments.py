"""What of a call's arguments a kernel depends on: ranks, values, callables, constexpr positions."""

from __future__ import annotations

import inspect
import types
from collections.abc import Callable
from typing import Any

import torch


def takes_callables(fn: Callable) -> bool:
    """Whether a parameter has a lambda / function default or a Callable annotation."""
    for parameter in inspect.signature(fn).parameters.values():
        annotation = parameter.annotation
        if isinstance(parameter.default, types.FunctionType) or "Callable" in str(annotation):
            return True
    return False


def is_callable_argument(value: object) -> bool:
    """A Python function or lambda passed as an argument (tensors and numbers are not)."""
    return isinstance(value, types.FunctionType)


def python_numbers(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """NumPy scalars (`np.float32(2.5)`, `np.int64(3)`, `np.bool_`) as the Python numbers torch
    takes them for: Triton cannot pass them to a kernel."""

    def number(value: object) -> object:
        numpy_scalar = type(value).__module__ == "numpy" and getattr(value, "shape", None) == ()
        return value.item() if numpy_scalar else value  # type: ignore[union-attr]

    return tuple(map(number, args)), {k: number(v) for k, v in kwargs.items()}


def specialised_on(value: object, constexpr: bool = False) -> object:
    """What of an argument the generated code depends on: a tensor's rank, None, a string, a
    bool, a torch dtype, the value of an `hl.constexpr` parameter."""
    if isinstance(value, torch.Tensor):
        return value.dim()
    if value is None or isinstance(value, (str, bool, torch.dtype)) or constexpr:
        return ("value", type(value).__name__, value)
    return None


def annotation_text(annotation: object) -> str:
    """An annotation as the source spells its last name (strings under `annotations`)."""
    if isinstance(annotation, str):
        return annotation.split(".")[-1]
    return "" if annotation is inspect.Parameter.empty else getattr(annotation, "__name__", "")


def constexpr_params(fn: Callable) -> set[int]:
    """Positions of the parameters annotated `hl.constexpr` (as text: annotations may be
    strings under `from __future__ import annotations`)."""
    positions = set()
    for index, parameter in enumerate(inspect.signature(fn).parameters.values()):
        annotation = parameter.annotation
        text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
        if text.split(".")[-1] == "constexpr":
            positions.add(index)
    return positions


def argument_ranks(args: tuple) -> tuple:
    """Each argument's rank (None for what is no tensor)."""
    return tuple(a.dim() if isinstance(a, torch.Tensor) else None for a in args)


def as_meta(value: Any) -> Any:
    """A tensor as a meta tensor of its shape, strides and dtype; anything else as it is."""
    if isinstance(value, torch.Tensor):
        return torch.empty_strided(value.shape, value.stride(), dtype=value.dtype, device="meta")
    return value


def any_fake(args: tuple) -> bool:
    """Whether an argument is a fake or meta tensor (a call torch.compile traces)."""
    from torch._subclasses.fake_tensor import FakeTensor

    return any(
        isinstance(a, FakeTensor) or (isinstance(a, torch.Tensor) and a.is_meta) for a in args
    )
