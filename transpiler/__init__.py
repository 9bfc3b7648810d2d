"""Helion-style Python kernels → readable, standalone Triton (public API)."""

from __future__ import annotations

import sys

from . import language  # noqa: I001
from .compile.frontend.errors import TranspileError
from .compile.pipeline import Transpiled, transpile, transpile_module
from .export.build import export
from .helion_compat import autotuner, exc, runtime_settings
from .run import runtime
from .run.runtime import (  # first: it picks Triton's interpreter
    BoundKernel,
    Kernel,
    aot_kernel,
    kernel,
)
from .run.torch_ops import autograd

# Helion's module paths, for code that reaches them through `import transpiler as helion` or
# with `helion` replaced by `transpiler` (`from transpiler.autotuner import PowerOfTwoFragment`)
for _name, _module in {
    "autotuner": autotuner,
    "exc": exc,
    "runtime_settings": runtime_settings,
    "runtime": runtime,  # `helion.runtime.get_num_sm(device)`, `from helion.runtime import ...`
}.items():
    sys.modules[f"{__name__}.{_name}"] = _module


class Config(dict):
    """Helion's Config: block_sizes, num_warps, num_stages, ... (kept as given)."""

    def __init__(self, **settings: object) -> None:
        super().__init__(**settings)


def cdiv(a: int, b: int) -> int:
    """Ceiling division, as helion.cdiv."""
    return -(-a // b)


def next_power_of_2(n: int) -> int:
    """The smallest power of two >= n (1 for n <= 1), as helion.next_power_of_2."""
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


__all__ = [
    "aot_kernel",
    "autograd",
    "autotuner",
    "BoundKernel",
    "Config",
    "Kernel",
    "TranspileError",
    "Transpiled",
    "cdiv",
    "exc",
    "export",
    "kernel",
    "language",
    "next_power_of_2",
    "runtime_settings",
    "transpile",
    "transpile_module",
]
