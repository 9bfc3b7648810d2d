"""The `kernel` decorator's `Kernel`: transpiled per argument ranks (cached), loaded, tuned, launched."""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import torch

from ..compile.frontend.assumed import example
from ..compile.frontend.config_check import plural_fields
from ..compile.frontend.errors import ConfigError, UnsupportedConstructError
from ..compile.frontend.kernel_settings import runtime_problems
from ..compile.pipeline import Transpiled, transpile_module
from ..reference.mode import reference_function
from . import kernel_tuning
from .argument_types import check_call, definition_error, refuse_method
from .autotune import shape_key
from .bound_kernel import BoundKernel
from .cache import CACHE_ENV, cache_dir, cached_file, load_module, write_atomically  # noqa: F401
from .call_arguments import (
    annotation_text,
    any_fake,
    argument_ranks,
    as_meta,
    constexpr_params,
    is_callable_argument,
    python_numbers,
    specialised_on,
    takes_callables,
)
from .devices import DeviceError, check_devices, interpreting  # noqa: F401
from .fitting import fitting_config
from .folded_globals import check_folded, folded_globals
from .kernel_tuning import Tuning
from .lent_names import borrowed_names, code_names  # noqa: F401 (borrowed_names: the magic's)
from .module_source import module_source
from .reduction_candidates import default_loops, whole_widths
from .torch_ops import aliased_returns, register, with_aliases
from .tune_settings import tune_settings

REFERENCE_ENV = "TRANSPILER_REFERENCE"
TRANSPILED_KEPT = 512  # generated modules remembered across kernels of the same source

# (source, filename) of the source text `kernels_from_source` is running: kernels decorated
# in it keep that text (their cell's own lines) instead of a module rebuilt around them
_DEFINING: ContextVar[tuple[str, str] | None] = ContextVar("transpiler_defining", default=None)

# (source, filename, kernel, specialisation, config) → its generated module, shared by every
# Kernel of that source (a cell run again, a module reloaded): `forget` drops a source's
_TRANSPILED: dict[tuple, Transpiled] = {}


@dataclass(frozen=True)
class KernelCall:
    """One call of a kernel, as its `hooks` see it: what went in, what came out, what ran."""

    kernel: Kernel
    args: tuple
    kwargs: dict
    result: Any
    bound: BoundKernel


@contextlib.contextmanager
def defining(source: str, filename: str) -> Iterator[None]:
    """While open, kernels decorated in code compiled from `filename` transpile `source` (the
    text being run, e.g. a notebook cell) rather than a module rebuilt around their function."""
    token = _DEFINING.set((source, filename))
    try:
        yield
    finally:
        _DEFINING.reset(token)


def forget(source: str) -> None:
    """Drop the generated modules remembered for `source` (they are made again when asked)."""
    for key in [key for key in _TRANSPILED if key[0] == source]:
        del _TRANSPILED[key]


def _plural_settings(settings: dict) -> dict:
    """The decorator's settings, its config(s) with Helion's singular spellings as lists."""
    settings = dict(settings)
    if isinstance(settings.get("config"), dict):
        settings["config"] = plural_fields(settings["config"])
    if isinstance(settings.get("configs"), (list, tuple)):
        settings["configs"] = [
            plural_fields(c) if isinstance(c, dict) else c for c in settings["configs"]
        ]
    return settings


class Kernel:
    """A Helion-style kernel: calling it transpiles (cached per rank and device), loads, launches."""

    def __init__(self, fn: Callable, **settings: Any) -> None:
        if isinstance(fn, Kernel):  # `@helion.kernel()` twice (was an AttributeError)
            raise definition_error(
                UnsupportedConstructError,
                fn.fn,
                f"{fn.name}() is decorated with @helion.kernel twice",
                "keep one @helion.kernel(...) decorator, with all its settings",
                ["@"],
            )
        for message, hint in runtime_problems(settings):  # a typo is never silently dropped
            raise definition_error(ConfigError, fn, message, hint, message.split("'")[1:2])
        refuse_method(fn)
        self.fn = fn
        self.name = fn.__name__
        self.settings = _plural_settings(settings)
        self._whole_sizes: dict[tuple, tuple[str, ...]] = {}  # per binding: whole dims' sizes
        given = self.settings.get("configs") or (
            [self.settings["config"]] if self.settings.get("config") else []
        )
        self.configs = list(given)  # as Helion's Kernel.configs
        defined = _DEFINING.get()
        if defined is not None and fn.__code__.co_filename == defined[1]:
            self.source, self.filename = defined  # its own source's lines, not a rebuilt module
        else:
            self.source, self.filename = module_source(fn)
        self.fixed_config: dict | None = None  # fix_config's: replaces the decorator's config=
        self.hooks: list[Callable[[KernelCall], None]] = []  # called after each call
        self.tunings: dict[str, Tuning] = {}  # shape key → the tuning behind calls on them
        self._reference: Callable | None = None
        self._folded = folded_globals(fn, self.source)  # HALF = torch.float16: a constant
        self._bound: dict[tuple, BoundKernel] = {}
        self._checked: dict[str, dict | None] = {}  # shapes → a fallback for an unfit config
        self._tune_settings: Any = None  # tune_settings.TuneSettings, read at the first call
        self.last_tuning: list = []  # (config, ms) of the last search, for plots
        self.last_tuning_key: str | None = None  # the shapes that search tuned (shape_key)
        self.last_args: tuple = ()  # the latest new binding's arguments, tensors as meta
        self._ops: dict[tuple, Any] = {}  # argument ranks → registered torch custom op
        self._key = f"{self.name}@{id(self)}"
        _KERNELS[self._key] = self
        self._aliases: tuple | None = None  # returned arguments (torch_ops.aliased_returns)
        self._signature: inspect.Signature | None = None  # read on the first call
        self._constexpr: set[int] = set()  # positions of hl.constexpr parameters
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.__wrapped__ = fn

    def __repr__(self) -> str:
        return f"<transpiler.Kernel {self.name}>"

    def transpiled(
        self, args: tuple | None = None, config: dict | None = None, kwargs: dict | None = None
    ) -> Transpiled:
        """The generated module for arguments like `args` (None: specialised on nothing) with
        `config` (None: the fixed config, else the decorator's); made once per specialisation."""
        config = self.fixed_config if config is None else config
        specialised = None if args is None else self._specialisation(tuple(args), kwargs or {})
        key = (self.source, self.filename, self.name, specialised, repr(config))
        if key not in _TRANSPILED:
            if len(_TRANSPILED) >= TRANSPILED_KEPT:
                del _TRANSPILED[next(iter(_TRANSPILED))]  # the oldest
            _TRANSPILED[key] = transpile_module(
                self.source,
                filename=self.filename,
                example_args=None if args is None else self.positional(args, kwargs or {}),
                only=(self.name,),
                config=config,
                callables={self.name: self.callables(args or (), kwargs or {})},
                outer_decorators=False,  # they wrap this Kernel: its launcher goes without
            )
        return _TRANSPILED[key]

    def _specialisation(self, args: tuple, kwargs: dict) -> tuple:
        """What of the arguments the generated code depends on: ranks, values of constexpr
        parameters, None or not, the code of callables it inlines."""
        positional = self.positional(args, kwargs)
        ranks = tuple(specialised_on(a, i in self._constexpr) for i, a in enumerate(positional))
        inlined = self.callables(args, kwargs)
        return ranks, tuple((k, v.__code__) for k, v in inlined.items())

    def fix_config(self, config: dict) -> None:
        """Run with `config` from now on, in place of the decorator's `config=` (no tuning)."""
        self.fixed_config = dict(plural_fields(config))
        self.settings["config"] = self.fixed_config
        self.configs = [self.fixed_config]
        self._bound.clear()
        self._whole_sizes.clear()
        self._reference = None  # its tiles follow the config's block sizes (config_blocks.py)

    @property
    def specialisations(self) -> list[BoundKernel]:
        """Every specialisation made so far (per argument ranks and config), oldest first;
        autotuning's candidates among them."""
        return list(self._bound.values())

    @property
    def _tuned(self) -> dict[str, dict | None]:
        """Shape key → tuned config (export/build.py reads it; `tuning_for` is the public form)."""
        return {key: tuning.config for key, tuning in self.tunings.items()}

    def tuning_for(self, args: tuple) -> Tuning | None:
        """The tuning behind calls on arguments shaped like `args` (None: not tuned)."""
        return self.tunings.get(shape_key(args))

    def example_args(self, rank: int, device: str = "meta") -> tuple:
        """Arguments for code of an assumed rank: each tensor parameter a tensor of `rank`
        dimensions, a parameter annotated int, float or bool a number of that type."""
        parameters = inspect.signature(self.fn).parameters.values()
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return tuple(
            example(annotation_text(p.annotation), rank, device)
            for p in parameters
            if p.kind in kinds
        )

    @property
    def signature(self) -> inspect.Signature:
        """The kernel function's signature (read once)."""
        if self._signature is None:
            self._signature = inspect.signature(self.fn)
            self._constexpr = constexpr_params(self.fn)
        return self._signature

    def positional(self, args: tuple, kwargs: dict) -> tuple:
        """The arguments in parameter order, keywords and defaults included (what the kernel is
        specialised on: ranks, None or a tensor, strings)."""
        try:
            bound = self.signature.bind(*args, **kwargs)
        except TypeError:
            return tuple(args)
        bound.apply_defaults()
        values = []
        for parameter in self.signature.parameters.values():
            if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
                break
            values.append(bound.arguments[parameter.name])
        return tuple(values)

    def callables(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        """The callable arguments (epilogues) by parameter name: the kernel inlines them."""
        if not any(is_callable_argument(a) for a in [*args, *kwargs.values()]):
            return {}
        try:
            bound = inspect.signature(self.fn).bind_partial(*args, **kwargs)
        except TypeError:
            return {}
        return {k: v for k, v in bound.arguments.items() if is_callable_argument(v)}

    @property
    def triton_source(self) -> str:
        """The generated module (specialised on nothing; see bind() for rank-specialised code)."""
        return self.transpiled().code

    def to_triton_code(self, config: object = None) -> str:
        return self.triton_source

    def bind(
        self, args: tuple, config: dict | None = None, kwargs: dict | None = None
    ) -> BoundKernel:
        """The kernel specialised for arguments like `args` (with `config`, else the fixed
        config, else the decorator's); it remembers their shapes, dtypes and strides (not
        their data) for `compile_for`."""
        bound = self._binding(args, config, kwargs)
        bound.example = (tuple(as_meta(a) for a in args), dict(kwargs or {}))
        return bound

    def _binding(
        self, args: tuple, config: dict | None = None, kwargs: dict | None = None
    ) -> BoundKernel:
        config = self.fixed_config if config is None else plural_fields(config)
        positional = self.positional(tuple(args), kwargs or {})
        specialised = self._specialisation(tuple(args), kwargs or {})
        first = None
        sizes_key = (specialised, repr(config))
        if sizes_key not in self._whole_sizes:
            first = self.transpiled(tuple(args), config, kwargs)
            self._whole_sizes[sizes_key] = first.whole_sizes.get(self.name, ())
        looped = self.default_reduction_loops(self._whole_sizes[sizes_key], positional, config)
        if looped is not None:  # a row too wide for one block: walked in chunks
            config, first = looped, None
        key = (specialised, repr(config))
        if key not in self._bound:
            transpiled = first or self.transpiled(tuple(args), config, kwargs)
            module = load_module(
                transpiled.code,
                stem=self.name,
                namespace=self.fn.__globals__,
                reads=code_names(self.fn.__code__),
            )
            self._bound[key] = BoundKernel(self, transpiled, module, config)
            self.last_args = tuple(as_meta(a) for a in args)
        return self._bound[key]

    def default_reduction_loops(
        self, sizes: tuple[str, ...], positional: tuple, config: dict | None
    ) -> dict | None:
        """The config with `reduction_loops` chunks when no config says otherwise and a whole
        dimension is too wide for one block (reduction_candidates.default_loops)."""

        if (config and "reduction_loops" in config) or "config" in self.settings:
            return None
        names = list(inspect.signature(self.fn).parameters)
        widths = whole_widths(sizes, names, positional)
        chosen = default_loops(widths) if widths is not None else []
        if not any(c is not None for c in chosen):
            return None
        return {**(config or {}), "reduction_loops": chosen}

    def op(self, *args: Any) -> Any:
        """The torch custom op (`torch.library.triton_op`) for arguments like `args`."""
        ranks = argument_ranks(args)
        if self._ops.get(ranks) is None:
            self._aliases = aliased_returns(self.fn)  # read under torch.compile: no parsing there

            config = None if any_fake(args) else self.tuned_config(args)
            self._ops[ranks] = register(self.bind(args, config))
        return self._ops[ranks]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args, kwargs = python_numbers(args, kwargs)
        if torch.compiler.is_compiling() and self.settings.get("torch_op", True):
            # Under torch.compile: the custom op for these ranks, registered now if no eager
            # call did it (at trace time, outside the graph: no graph break).
            op, aliases = self._ops.get(argument_ranks(args)), self._aliases
            if op is None:
                qualname, aliases = _op_while_tracing(self._key, _spec(args))
                namespace, name = qualname.split("::")
                op = getattr(getattr(torch.ops, namespace), name)
            return with_aliases(op(*args, **kwargs), aliases, args)
        if os.environ.get(REFERENCE_ENV) == "1":
            return self.run_reference(*args, **kwargs)
        check_call(self.name, self.signature, args, kwargs)  # before anything is transpiled
        check_folded(self.name, self._folded, self.fn.__globals__, self.filename)
        check_devices(self.name, args)  # before tuning launches anything
        bound = self._binding(args, self.tuned_config(args), kwargs)
        if (
            self.settings.get("torch_op", True)
            and argument_ranks(args) not in self._ops
            and "torch._dynamo" in sys.modules  # torch.compile is in use: register the tuned op
            and not takes_callables(self.fn)  # a torch op cannot take a Python callable
        ):
            try:
                self.op(*args)
            except Exception:  # noqa: BLE001 - eager calls work without the op
                self._ops[argument_ranks(args)] = None
        result = bound(*args, **kwargs)
        for hook in self.hooks:
            hook(KernelCall(self, args, kwargs, result, bound))
        return result

    def tunes(self, args: tuple) -> bool:
        """Autotune on a GPU unless the user fixed a config or asked for no tuning."""
        if self._tune_settings is None:  # read once: environment variables as at the first call
            self._tune_settings = tune_settings(self.settings)
        if "config" in self.settings or self._tune_settings.effort == "none":
            return False
        return kernel_tuning.on_gpu(args)

    def tuned_config(self, args: tuple) -> dict | None:
        """The best configuration for these shapes: from memory, from disk, or searched now;
        untuned on a GPU, the given one unless the device cannot hold it (run/fitting.py)."""
        if not self.tunes(args):
            return self.checked_config(args)
        memory_key = shape_key(args)
        if memory_key not in self.tunings:
            found = self.tunings[memory_key] = kernel_tuning.tuning_of(self, args, memory_key)
            if found.origin != "cache":
                self.last_tuning, self.last_tuning_key = list(found.timings), memory_key
        return self.tunings[memory_key].config

    def checked_config(self, args: tuple) -> dict | None:
        """None (the kernel's own configuration) where it fits the GPU; else a fallback."""
        if interpreting() or not any(isinstance(a, torch.Tensor) and a.is_cuda for a in args):
            return None
        key = shape_key(args)
        if key not in self._checked:
            self._checked[key] = fitting_config(self, args)
        return self._checked[key]

    @property
    def reference(self) -> Callable:
        """The same source run eagerly in PyTorch, each tile loop over its whole range (built
        at the first use; it reads the function's globals as they are at each call)."""
        if self._reference is None:
            config = self.settings.get("config")
            blocks = config.get("block_sizes") if isinstance(config, Mapping) else None
            self._reference = reference_function(
                self.source,
                self.name,
                filename=self.filename,
                namespace=self.fn.__globals__,
                block_sizes=blocks if isinstance(blocks, (list, tuple)) else None,
            )
        return self._reference

    def run_reference(self, *args: Any, **kwargs: Any) -> Any:
        """`kernel.reference(*args, **kwargs)`."""
        return self.reference(*args, **kwargs)


_KERNELS: dict[str, Kernel] = {}  # Kernel._key → kernel, for _op_while_tracing


def _spec(args: tuple) -> tuple:
    """What binding needs from arguments, as constants Dynamo can pass: ranks and dtypes."""
    return tuple(
        ("tensor", a.dim(), a.dtype, a.device.type) if isinstance(a, torch.Tensor) else ("value",)
        for a in args
    )


def _op_while_tracing(key: str, spec: tuple) -> tuple[str, tuple | None]:
    """The name of the custom op for arguments like `spec` (registered while Dynamo traces a
    call: Dynamo runs this function as it is and keeps its result as a constant) and the
    positions of the arguments the kernel returns. The op has
    the default configuration (tuning needs real tensors: an eager call first tunes it)."""
    kernel = _KERNELS[key]
    args = tuple(
        torch.empty((1,) * s[1], dtype=s[2], device="meta") if s[0] == "tensor" else 1.0
        for s in spec
    )
    # not kernel._ops nor kernel._aliases: Dynamo guards on them in this very frame
    return register(kernel.bind(args, None))._qualname, aliased_returns(kernel.fn)


# torch._dynamo.assume_constant_result, without importing torch._dynamo at `import transpiler`
_op_while_tracing._dynamo_marked_constant = True  # type: ignore[attr-defined]


def aot_kernel(
    fn: Callable | None = None, *, batched: object = None, **settings: Any
) -> Kernel | Callable[[Callable], Kernel]:
    """Helion's `@aot_kernel(batched=...)`: a kernel whose configs come ahead of time; here
    the default config, as for `@kernel` (`batched` only shapes Helion's tuning heuristics)."""
    return kernel(fn, **settings)


def kernel(fn: Callable | None = None, **settings: Any) -> Kernel | Callable[[Callable], Kernel]:
    """`@kernel()` / `@kernel(config=..., configs=..., static_shapes=..., autotune_effort=...)`.

    `torch_op=False` keeps the plain function: no torch custom op is registered for it."""
    if fn is None:
        return lambda function: Kernel(function, **settings)
    if not callable(fn):  # `@helion.kernel(helion.Config(...))`
        raise TypeError(
            f"@helion.kernel() takes its settings by keyword, not a {type(fn).__name__} by "
            "position: write @helion.kernel(config=helion.Config(...))"
        )
    return Kernel(fn, **settings)


def get_num_sm(device: torch.device | str) -> int:
    """Helion's `helion.runtime.get_num_sm`: the SM count of a CUDA device; elsewhere (the CPU
    interpreter) 4, as generated launchers spell it."""
    if torch.device(device).type != "cuda":
        return 4
    return torch.cuda.get_device_properties(device).multi_processor_count
