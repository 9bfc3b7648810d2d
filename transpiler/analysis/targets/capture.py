"""The launches a generated launcher makes, recorded instead of run (nothing is launched)."""

from __future__ import annotations

import contextlib
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from ...run.devices import interpreting
from . import symmetric
from .table import Target


@dataclass(frozen=True)
class Launch:
    """One `kernel[grid](*args, **kwargs)` of a launcher, its arguments encoded for the worker:
    tensors as ("tensor", dtype, address), Triton dtypes as ("tl.dtype", name)."""

    kernel: str
    path: str  # the generated module's file
    args: tuple
    kwargs: dict
    grid: tuple[int, ...]

    def key(self) -> tuple:
        """What Triton specialises a compile on: constexprs and options by value, pointers by
        dtype and 16-byte alignment, ints by whether they are 1 or multiples of 16."""
        return (self.path, self.kernel, tuple(map(_specialisation, self.args)),
                tuple(sorted((k, repr(v)) for k, v in self.kwargs.items())))  # fmt: skip


def _specialisation(value: Any) -> Any:
    if isinstance(value, tuple) and value and value[0] == "tensor":
        return ("tensor", value[1], value[2] % 16 == 0)
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return ("int", value == 1, value % 16 == 0, -(2**31) <= value < 2**31)


def encode(value: Any) -> Any:
    """An argument of a launch as plain data the worker can rebuild."""
    if isinstance(value, torch.Tensor):
        return ("tensor", str(value.dtype).removeprefix("torch."), value.data_ptr())
    if type(value).__module__.startswith("triton.language") and hasattr(
        value, "primitive_bitwidth"
    ):
        return ("tl.dtype", value.name)
    if isinstance(value, tuple):
        return ("tuple", tuple(encode(v) for v in value))
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot compile for a target with a {type(value).__name__} kernel argument")


def launch_of(function: Any, args: tuple, kwargs: dict, grid: Any) -> Launch:
    """A launch of the jit `function` (interpreted or compiled) with these arguments."""
    raw = function.fn
    if callable(grid):
        names = list(getattr(function, "arg_names", ())) or raw.__code__.co_varnames
        grid = grid(dict(zip(names, args), **kwargs))
    grid = tuple(int(g) for g in (grid if isinstance(grid, (tuple, list)) else (grid,)))
    return Launch(
        kernel=raw.__name__,
        path=raw.__code__.co_filename,
        args=tuple(encode(a) for a in args),
        kwargs={k: encode(v) for k, v in kwargs.items()},
        grid=grid,
    )


class _Recorder:
    """Stands in for a @triton.jit function: `kernel[grid](...)` records, launches nothing."""

    def __init__(self, function: Any, launches: list[Launch]) -> None:
        self.function = function
        self.launches = launches

    def __getitem__(self, grid: Any) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            self.launches.append(launch_of(self.function, args, kwargs, grid))

        return record

    def run(self, *args: Any, grid: Any, warmup: bool = False, **kwargs: Any) -> None:
        self.launches.append(launch_of(self.function, args, kwargs, grid))


def is_jit_function(value: object) -> bool:
    """A @triton.jit function: a JITFunction, or under the interpreter an InterpretedFunction."""
    return type(value).__module__.startswith("triton.") and callable(getattr(value, "fn", None))


def record_launches(launcher: Callable, args: tuple, kwargs: dict, target: Target) -> list[Launch]:
    """Run `launcher` with each kernel of its module replaced by a recorder, and the helpers
    that ask the device (SM count, TMA) answering for `target`. Meta tensors become tensors of
    the same shape and strides where launches go here (never written: nothing is launched)."""
    launches: list[Launch] = []
    namespace = dict(launcher.__globals__)
    for name, value in launcher.__globals__.items():
        if is_jit_function(value):
            namespace[name] = _Recorder(value, launches)
        elif isinstance(value, types.FunctionType) and value.__globals__ is launcher.__globals__:
            namespace[name] = _rebound(value, namespace)
    namespace.update(_device_answers(namespace, target))
    stand_ins = contextlib.nullcontext()
    if "require_symmetric" in namespace:  # a kernel across GPUs: CPU copies for other ranks
        namespace["require_symmetric"] = symmetric.require_group
        stand_ins = symmetric.remote_tensors_on_cpu()
    with torch.no_grad(), stand_ins:
        device = "cuda" if torch.cuda.is_available() and not interpreting() else "cpu"
        _rebound(launcher, namespace)(*[_stand_in(a, device) for a in args], **kwargs)
    return launches


def _rebound(function: types.FunctionType, namespace: dict) -> types.FunctionType:
    copy = types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__,
        function.__closure__,
    )  # fmt: skip
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


def _device_answers(namespace: dict, target: Target) -> dict[str, Callable]:
    """persistent_programs: the target's SM count; tma_fits: False where it has no TMA;
    indices_inside: yes (a recording knows shapes, not values: meta tensors hold zeros)."""
    answers: dict[str, Callable] = {}
    if "indices_inside" in namespace:
        answers["indices_inside"] = lambda index, size: True
    if "persistent_programs" in namespace:
        answers["persistent_programs"] = lambda tensor: target.sms
    if "tma_fits" in namespace:
        fits = namespace["tma_fits"]
        answers["tma_fits"] = lambda tensor, *block: target.tma and fits(tensor, *block)
    return answers


def _stand_in(value: Any, device: str) -> Any:
    """A meta tensor as one of its shape and strides on `device` (the CPU under Triton's
    interpreter, else the GPU: a launcher refuses CPU tensors there), holding zeros (never
    uninitialised memory: host code that reads a value reads the same one every time)."""
    if isinstance(value, torch.Tensor) and value.is_meta:
        reach = sum((n - 1) * s for n, s in zip(value.shape, value.stride(), strict=True))
        elements = reach + 1 if value.numel() else 0
        zeros = torch.zeros(elements, dtype=value.dtype, device=device)
        return zeros.as_strided(value.shape, value.stride())
    return value
