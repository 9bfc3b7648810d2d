"""One `%%helion` cell as a program: its kernels as callables, transpiled per ranks and cached."""

from __future__ import annotations

import functools
import hashlib
import json
import linecache
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

import transpiler
from transpiler.compile.frontend.errors import (
    RankUnknownError,
    TranspileError,
    UndefinedNameError,
    UnknownLanguageNameError,
    UnsupportedConstructError,
    UnsupportedOpError,
)
from transpiler.compile.frontend.kernels import collect_aliases, find_kernels
from transpiler.compile.frontend.source import Source
from transpiler.compile.pipeline import Transpiled
from transpiler.reference.mode import reference_source, run_on_argument_device
from transpiler.run import runtime
from transpiler.run.autotune import shape_key

from . import tuning

CELL_FILENAME = "<cell>"

# Generated code per (cell text, argument ranks, config, kernels kept); shared by every run of
# the same cell. Modules are loaded through transpiler's own cache (runtime.load_module).
_TRANSPILED: dict[tuple[str, tuple, str, tuple[str, ...] | None], Transpiled] = {}


@functools.lru_cache(maxsize=256)  # a tuned cell kernel asks on every call
def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# Errors that do not depend on argument ranks: a probe with made-up ranks may report them early.
RANK_INDEPENDENT_ERRORS = (
    UnsupportedOpError,
    UnsupportedConstructError,
    UnknownLanguageNameError,
    UndefinedNameError,
)


def kernel_parameters(source: str) -> dict[str, int]:
    """Each `@helion.kernel` function of the cell → its number of positional parameters."""
    parsed = Source.parse(source, CELL_FILENAME)
    found = {}
    for kernel in find_kernels(parsed, collect_aliases(parsed.module)):
        params = kernel.node.params
        found[kernel.name] = len(params.posonly_params) + len(params.params)
    return found


def probe_rank_independent_errors(source: str, parameters: dict[str, int]) -> None:
    """Transpile once with every argument a 1-D tensor; re-raise only errors no rank would fix."""
    examples = {name: (torch.empty(0),) * count for name, count in parameters.items()}
    try:
        transpiler.transpile_module(source, filename=CELL_FILENAME, example_args=examples)
    except RANK_INDEPENDENT_ERRORS:
        raise
    except TranspileError:
        pass


def ranks_of(args: tuple) -> tuple[object, ...]:
    """Tensor ranks; a callable argument (an epilogue) by its code: the kernel inlines it."""
    return tuple(
        a.dim()
        if isinstance(a, torch.Tensor)
        else a.__code__
        if isinstance(a, types.FunctionType)
        else None
        for a in args
    )


def _passes_callables(args: tuple) -> bool:
    return any(isinstance(a, types.FunctionType) for a in args)


@dataclass
class KernelCall:
    """One call of a cell kernel: what went in and what came out (for GB/s and the roofline)."""

    args: tuple
    result: Any
    name: str = ""


@dataclass
class CellProgram:
    """The cell's source, its generated code (generic or per ranks) and the modules loaded."""

    source: str
    namespace: dict[str, Any]
    kernels: tuple[str, ...] = ()
    generic: Transpiled | None = None  # None when a tile's rank comes only from the arguments
    seen_args: dict[str, tuple] = field(default_factory=dict)
    latest: Transpiled | None = None
    files: dict[Path, Transpiled] = field(default_factory=dict)  # generated file → its code
    modules: list[types.ModuleType] = field(default_factory=list)
    calls: list[KernelCall] = field(default_factory=list)
    recording: bool = False  # calls are kept only while the magic runs --run EXPR
    launchers: dict[tuple, tuple[Transpiled, types.ModuleType]] = field(default_factory=dict)
    recorded: set[tuple] = field(default_factory=set)  # launchers run for the user, not trials
    config: dict[str, Any] | None = None  # `--config`: replaces every kernel's decorator config
    force: bool = False  # `--force`: regenerate, and tune again on a GPU
    searched: set[tuple] = field(default_factory=set)  # searches this run made (--force: once)
    settings: dict[str, dict[str, object]] | None = None  # decorator keywords, read when needed

    @property
    def digest(self) -> str:
        """The cell's source, hashed: the key of this session's searches."""
        return digest_of(self.source)

    @classmethod
    def build(
        cls,
        source: str,
        namespace: dict[str, Any],
        *,
        force: bool = False,
        config: dict[str, Any] | None = None,
    ) -> CellProgram:
        """Transpile the cell (raising TranspileError), unless its ranks wait for arguments."""
        digest = digest_of(source)
        if force:
            for key in [key for key in _TRANSPILED if key[0] == digest]:
                del _TRANSPILED[key]
        program = cls(source, namespace, config=config, force=force)
        try:
            program.generic = program._transpile(())
            program.kernels = program.generic.kernels
        except RankUnknownError:
            parameters = kernel_parameters(source)
            probe_rank_independent_errors(source, parameters)
            program.kernels = tuple(parameters)
        program.latest = program.generic
        return program

    def _transpile(
        self,
        ranks_key: tuple,
        example_args: dict[str, tuple] | None = None,
        tuned: tuple[str, dict[str, Any]] | None = None,
    ) -> Transpiled:
        """The cell's code (every kernel, `--config` applied) or, with `tuned` = (kernel,
        config), that kernel alone with an autotuning configuration."""
        config = self.config if tuned is None else tuned[1]
        config_key = json.dumps(config, sort_keys=True) if config is not None else ""
        only = None if tuned is None else (tuned[0],)
        key = (digest_of(self.source), ranks_key, config_key, only)
        if key not in _TRANSPILED:
            _TRANSPILED[key] = transpiler.transpile_module(
                self.source,
                filename=CELL_FILENAME,
                example_args=example_args,
                only=only,
                config=config,
            )
        return _TRANSPILED[key]

    def transpiled_for(
        self, name: str, args: tuple, tuned: dict[str, Any] | None = None
    ) -> Transpiled:
        """The code that runs `name(*args)`: the generic module, or one specialised on ranks
        (and on the callables passed); with `tuned` (an autotuning configuration) the kernel
        alone, built with it."""
        generic = self.generic is not None and not _passes_callables(args)
        if not generic:
            self.seen_args[name] = args
        ranks_key = tuple(sorted((kernel, ranks_of(a)) for kernel, a in self.seen_args.items()))
        examples = None if generic else dict(self.seen_args)
        if tuned is not None:
            return self._transpile(ranks_key, examples, (name, tuned))
        if generic:
            return self.generic
        self.latest = self._transpile(ranks_key, examples)
        return self.latest

    def launcher(
        self, name: str, args: tuple, tuned: dict[str, Any] | None = None, *, trial: bool = False
    ) -> Callable[..., Any]:
        """The generated launcher for `name(*args)`, loaded once per argument ranks (and tuned
        configuration). A `trial` (an autotuning candidate) is not kept for error messages or
        the compiled stages."""
        generic = self.generic is not None and not _passes_callables(args)
        key = (name,) if generic else (name, ranks_of(args))
        if tuned is not None:
            key += (json.dumps(tuned, sort_keys=True),)
        if key not in self.launchers:
            transpiled = self.transpiled_for(name, args, tuned)
            module = runtime.load_module(transpiled.code, stem="cell", namespace=self.namespace)
            self.launchers[key] = (transpiled, module)
        transpiled, module = self.launchers[key]
        if not trial and key not in self.recorded:  # ran for the user: errors, stages
            self.recorded.add(key)
            self.files[Path(module.__file__)] = transpiled
            if module not in self.modules:
                self.modules.append(module)
        return getattr(module, name)

    def decorator_settings(self, name: str) -> dict[str, object]:
        """Kernel `name`'s decorator keywords, as source text (`config=`, `autotune_effort=`)."""
        if self.settings is None:
            parsed = Source.parse(self.source, CELL_FILENAME)
            found = find_kernels(parsed, collect_aliases(parsed.module))
            self.settings = {kernel.name: kernel.settings for kernel in found}
        return self.settings.get(name, {})

    def define(self) -> dict[str, CellKernel]:
        """Run the cell eagerly in the namespace, then bind each kernel name to a CellKernel."""
        rewritten = reference_source(self.source)
        linecache.cache[CELL_FILENAME] = (len(rewritten), None, rewritten.splitlines(True), "")
        exec(compile(rewritten, CELL_FILENAME, "exec"), self.namespace)
        kernels = {}
        for name in self.kernels:
            reference = run_on_argument_device(self.namespace[name])
            kernels[name] = self.namespace[name] = CellKernel(self, name, reference)
        return kernels


class CellKernel:
    """A kernel defined by a `%%helion` cell: calling it runs the generated Triton."""

    def __init__(self, program: CellProgram, name: str, reference: Callable[..., Any]) -> None:
        self.program = program
        self.name = self.__name__ = name
        self.reference = reference  # the same source, run eagerly in PyTorch
        self.last_tuning: list = []  # (config, ms) of the autotuning search behind the last call
        self.last_tuning_key: str | None = None  # the shapes it tuned (autotune.shape_key)

    def __repr__(self) -> str:
        return f"<helion cell kernel {self.name}>"

    @property
    def source(self) -> str:
        """The cell's text (with `filename`: what `transpiler.analysis.perf.cost_of(kernel, ...)` reads)."""
        return self.program.source

    filename = CELL_FILENAME

    @property
    def triton_source(self) -> str:
        """The generated module this kernel last ran from (or would run from)."""
        transpiled = self.program.latest
        if transpiled is None:
            raise RuntimeError(
                f"{self.name}: the tile rank comes from the arguments; call it once first"
            )
        return transpiled.code

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        config = None
        if tuning.tunes(self.program, self.name, args):
            runtime.check_devices(self.name, args)  # before the search launches anything
            config, timings = tuning.tuned_config(self.program, self.name, args)
            self.last_tuning, self.last_tuning_key = timings, shape_key(args)
        launcher = self.program.launcher(self.name, args, config)
        runtime.check_devices(self.name, args)
        result = launcher(*args, **kwargs)
        if self.program.recording:
            self.program.calls.append(KernelCall(args, result, self.name))
        return result
