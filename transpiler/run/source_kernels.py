"""Kernels from source text (a notebook cell): checked, then made by the `kernel` decorator itself."""

from __future__ import annotations

import json
import linecache
from collections.abc import Iterator, Mapping
from typing import Any

import libcst as cst
import torch
from libcst.metadata import MetadataWrapper

from ..compile.frontend.aliases import collect_aliases
from ..compile.frontend.errors import (
    ConfigError,
    KernelErrors,
    RankUnknownError,
    TranspileError,
    UndefinedNameError,
    UnknownLanguageNameError,
    UnsupportedConstructError,
    UnsupportedOpError,
)
from ..compile.frontend.kernel_settings import runtime_problems
from ..compile.frontend.kernels import find_kernels
from ..compile.frontend.source import Source
from ..compile.pipeline import Transpiled, transpile_module
from ..reference.mode import HelionImportRewriter
from .runtime import Kernel, defining, forget

# Errors that do not depend on argument ranks: a probe with made-up ranks may report them early.
RANK_INDEPENDENT_ERRORS = (
    UnsupportedOpError,
    UnsupportedConstructError,
    UnknownLanguageNameError,
    UndefinedNameError,
)

# (source, filename, config) → the source's module specialised on nothing (None: ranks come
# from the arguments), so that running the same cell again transpiles nothing
_CHECKED: dict[tuple[str, str, str], Transpiled | None] = {}
CHECKED_KEPT = 256


class SourceKernels(Mapping[str, Kernel]):
    """The kernels of one source by name, in source order, and the whole source's module."""

    def __init__(self, kernels: dict[str, Kernel], module: Transpiled | None) -> None:
        self.kernels = kernels
        self.module = module  # every kernel, specialised on nothing; None: ranks wait for calls

    def __getitem__(self, name: str) -> Kernel:
        return self.kernels[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.kernels)

    def __len__(self) -> int:
        return len(self.kernels)


def kernels_from_source(
    source: str,
    *,
    filename: str = "<string>",
    namespace: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    force: bool = False,
    **settings: Any,
) -> SourceKernels:
    """Every `@helion.kernel` of `source` as the decorator makes it when the source runs in
    `namespace` (its other statements run there too; `helion` imports become `transpiler`'s).
    Each kernel transpiles `source` itself under `filename`, so errors and line maps cite its
    own lines. Errors no argument could fix raise here (TranspileError) before anything runs.
    `config` replaces every kernel's `config=` (no tuning); `force` transpiles anew and tunes
    again; `settings` are given to every kernel as the decorator's keywords would be."""
    for message, hint in runtime_problems(settings):
        raise ConfigError(message, filename=filename, hint=hint)
    parsed = Source.parse(source, filename)
    found = find_kernels(parsed, collect_aliases(parsed.module))
    if force:
        forget(source)
    module = checked_module(source, filename, config, force, found)
    namespace = {} if namespace is None else namespace
    text = definition_source(parsed.module)
    if filename.startswith("<"):  # tracebacks and inspect read the lines of a source with no file
        linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    with defining(source, filename):
        exec(compile(text, filename, "exec"), namespace)
    kernels = {}
    for function in found:
        kernel = namespace.get(function.name)
        if not isinstance(kernel, Kernel):
            raise parsed.error(
                UnsupportedConstructError,
                function.node.name,
                f"{function.name} is not a transpiler kernel once the source has run "
                f"({type(kernel).__name__})",
                hint="leave the name to the kernel: nothing later in the source may rebind it",
            )
        kernel.settings.update(settings)
        if force:
            kernel.settings["force_autotune"] = True  # Helion's name: search even if cached
        if config is not None:
            kernel.fix_config(config)
        kernels[function.name] = kernel
    return SourceKernels(kernels, module)


def definition_source(module: cst.Module) -> str:
    """The source with `helion` imports turned into `transpiler`'s; decorators, bodies and
    line numbers as written."""
    return MetadataWrapper(module).visit(HelionImportRewriter()).code


def checked_module(
    source: str, filename: str, config: dict[str, Any] | None, force: bool, found: list
) -> Transpiled | None:
    """The source's module specialised on nothing; None when a tile's rank comes from the
    arguments, after a probe with every argument a 1-D tensor has raised any error that no
    rank would fix."""
    key = (source, filename, json.dumps(config, sort_keys=True, default=str))
    if force or key not in _CHECKED:
        if len(_CHECKED) >= CHECKED_KEPT:
            del _CHECKED[next(iter(_CHECKED))]  # the oldest
        try:
            _CHECKED[key] = transpile_module(source, filename=filename, config=config)
        except RankUnknownError:
            _probe(source, filename, config, found)
            _CHECKED[key] = None
        except KernelErrors as error:  # a kernel's rank from its arguments is no error here
            others = [e for e in error.errors if not isinstance(e, RankUnknownError)]
            if len(others) == len(error.errors):
                raise
            if others:
                raise (
                    others[0]
                    if len(others) == 1
                    else KernelErrors(others, error.kernels, error.partial)
                ) from None
            _probe(source, filename, config, found)
            _CHECKED[key] = None
    return _CHECKED[key]


def _probe(source: str, filename: str, config: dict[str, Any] | None, found: list) -> None:
    examples = {}
    for function in found:
        params = function.node.params
        examples[function.name] = (torch.empty(0),) * (
            len(params.posonly_params) + len(params.params)
        )
    try:
        transpile_module(source, filename=filename, example_args=examples, config=config)
    except RANK_INDEPENDENT_ERRORS:
        raise
    except TranspileError:
        pass
