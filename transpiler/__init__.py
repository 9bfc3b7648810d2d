"""Helion-style Python kernels → readable, standalone Triton (public API)."""

from __future__ import annotations

import sys

from . import language  # noqa: I001
from .compile.frontend import errors
from .compile.frontend.config_check import plural_fields
from .compile.frontend.errors import TranspileError
from .compile.pipeline import Transpiled, transpile, transpile_module
from .export.build import export
from .helion_compat import autotuner, exc, runtime_settings
from .run import runtime
from .run.runtime import (  # first: it picks Triton's interpreter
    BoundKernel,
    Kernel,
    KernelCall,
    Tuning,
    aot_kernel,
    kernel,
)
from .run.source_kernels import SourceKernels, kernels_from_source
from .run.torch_ops import autograd

# Helion's module paths, for code that reaches them through `import transpiler as helion` or
# with `helion` replaced by `transpiler` (`from transpiler.autotuner import PowerOfTwoFragment`)
for _name, _module in {
    "autotuner": autotuner,
    "exc": exc,
    "runtime_settings": runtime_settings,
    "runtime": runtime,  # `helion.runtime.get_num_sm(device)`, `from helion.runtime import ...`
    "errors": errors,  # every TranspileError subclass (`transpiler.errors.RankUnknownError`)
}.items():
    sys.modules[f"{__name__}.{_name}"] = _module


class Config(dict):
    """Helion's Config: block_sizes, num_warps, num_stages, ... (as given; Helion's singular
    spellings, `block_size=16`, as the lists they mean)."""

    def __init__(self, **settings: object) -> None:
        super().__init__(**plural_fields(settings))


def cdiv(a: int, b: int) -> int:
    """Ceiling division, as helion.cdiv."""
    return -(-a // b)


def next_power_of_2(n: int) -> int:
    """The smallest power of two >= n (1 for n <= 1), as helion.next_power_of_2."""
    return 1 if n <= 1 else 1 << (n - 1).bit_length()


# Modules whose names are public too, with __all__ (docs/architecture.md, "Public API"); the
# magic imports nothing else of the transpiler (tests/test_public_api.py). A package here
# makes its submodules public: the cost model, the roofline and target compiles are tools.
PUBLIC_MODULES = (
    "transpiler.analysis.perf",
    "transpiler.analysis.targets",
    "transpiler.errors",
    "transpiler.language",
    "transpiler.runtime",
)

__all__ = [
    "aot_kernel",
    "autograd",
    "autotuner",
    "BoundKernel",
    "Config",
    "Kernel",
    "KernelCall",
    "SourceKernels",
    "TranspileError",
    "Transpiled",
    "Tuning",
    "cdiv",
    "errors",
    "exc",
    "export",
    "kernel",
    "kernels_from_source",
    "language",
    "next_power_of_2",
    "runtime",
    "runtime_settings",
    "transpile",
    "transpile_module",
]
