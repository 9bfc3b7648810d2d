"""The pipeline in one place: parse → find kernels → lower each device loop → emit the module."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import libcst as cst

from ..distributed.library import imported_library
from .emit.kept_statements import is_docstring, is_import, statement_code, without_helion
from .emit.lines import BlockDefault, Line, LoweredKernel
from .emit.module import ModuleText, assemble, header
from .emit.tidy import tidy
from .emit.tidy.helper_names import apart_from_user
from .emit.tidy.helpers import needed_helpers
from .emit.tidy.imports import read_imports
from .frontend import callables as inline
from .frontend.aliases import Aliases, collect_aliases
from .frontend.config_check import plural_fields
from .frontend.device_rules import check_device_rules
from .frontend.errors import (
    InternalTranspilerError,
    KernelErrors,
    TranspileError,
    UnsupportedOpError,
)
from .frontend.examples import constants_from_examples, present_from_examples, ranks_from_examples
from .frontend.kernels import (
    KernelFunction,
    find_kernel_decorator,
    find_kernels,
    with_called_kernels,
)
from .frontend.module_statements import statements_left_out
from .frontend.source import Source
from .frontend.unsupported_ops import all_unsupported
from .lower.kernel_function import lower_kernel


@dataclass(frozen=True)
class Transpiled:
    """The generated module, its line map (generated line → source line) and its kernels."""

    code: str
    line_map: tuple[int | None, ...]
    kernels: tuple[str, ...]
    # per kernel: its tile block sizes (name, role) in config order, over all its device loops
    tunables: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # per kernel of several device loops (phases): how many of those block sizes each one has
    phases: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # per kernel: the host sizes (`x.size(1)`) of its whole dimensions, in reduction_loops order
    whole_sizes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # per kernel: each of `tunables` with the tile it steps and the launcher's default (the cost
    # model's block sizes: analysis/perf/cost.py)
    block_defaults: dict[str, tuple[BlockDefault, ...]] = field(default_factory=dict)
    # kernels with a product over a whole K that the launcher may take in chunks (split_k.py)
    chunks_k: frozenset[str] = frozenset()

    def source_line(self, generated_line: int) -> int | None:
        if 0 < generated_line <= len(self.line_map):
            return self.line_map[generated_line - 1]
        return None


def transpile_module(
    source: str,
    *,
    filename: str = "<string>",
    example_args: dict[str, tuple] | tuple | None = None,
    only: tuple[str, ...] | None = None,
    config: dict[str, object] | None = None,
    autotune_configs: dict[str, list[dict[str, object]]] | None = None,
    callables: dict[str, dict[str, object]] | None = None,
    outer_decorators: bool = True,
) -> Transpiled:
    """`transpile`, with the line map. `only` names the kernels to keep (the rest are left out);
    `config` (Helion's Config fields: block_sizes, num_warps, num_stages, l2_groupings) replaces
    the decorators' `config=` for every kept kernel; `autotune_configs` (kernel name → configs
    with the same fields) makes a kernel a `@triton.autotune` over them, its launcher leaving
    the block sizes out; `callables` ({kernel: {parameter: fn}}) are callable arguments to
    inline (those among positional `example_args` are found too); `outer_decorators=False`
    leaves the decorators above `@helion.kernel` off the launchers (the runtime's Kernel, which
    they already wrap, calls them)."""
    key = (source, filename, None if only is None else tuple(only))
    parsed = _CHECKED[key][0] if key in _CHECKED else _parsed(source, filename)
    try:
        return _transpile(
            parsed, example_args, only, config, autotune_configs, callables or {},
            outer_decorators=outer_decorators, checked_key=key,
        )  # fmt: skip
    except TranspileError:
        raise
    except Exception as error:  # a bug of ours: still the user's line, never a bare traceback
        statement = parsed.current or parsed.module
        raise parsed.error(
            InternalTranspilerError, statement, f"{type(error).__name__}: {error}"
        ) from error


def _transpile(
    parsed: Source,
    example_args,
    only,
    config,
    autotune_configs,
    callables,
    gather: bool = True,
    outer_decorators: bool = True,
    checked_key: tuple | None = None,
) -> Transpiled:
    filename = parsed.filename
    parsed.current = None
    aliases, only, kernels = _checked(parsed, only, checked_key)
    if config is not None:
        for kernel in kernels:
            kernel.settings = {**kernel.settings, "config": repr(dict(plural_fields(config)))}
    for kernel in kernels:
        tuned = (autotune_configs or {}).get(kernel.name)
        if tuned:  # block sizes from the configs; a grouped order if they have one
            groups = [c["l2_groupings"] for c in tuned if c.get("l2_groupings")]
            base = repr({"l2_groupings": groups[0]}) if groups else None
            kernel.settings = {**kernel.settings, "autotune_configs": list(tuned), "config": base}
    left_out = {  # kernels not asked for: neither checked (find_kernels) nor copied
        id(s)
        for s in parsed.module.body
        if only is not None
        and isinstance(s, cst.FunctionDef)
        and s.name.value not in only
        and find_kernel_decorator(s, aliases) is not None
    } | statements_left_out(parsed.module)  # statements that only run (prints, test calls)
    ranks = ranks_from_examples(kernels, example_args)
    constants = constants_from_examples(kernels, example_args, aliases)
    present = present_from_examples(kernels, example_args)
    given = inline.callables_from_examples(kernels, example_args)
    for name, functions in callables.items():
        given.setdefault(name, {}).update(functions)
    pieces: dict[int, tuple[list[LoweredKernel], list[Line]]] = {}
    helpers: set[str] = set()
    host_helpers: set[str] = set()
    functions: dict[str, str] = {}
    failed: dict[int, TranspileError] = {}  # every kernel's error, not only the first's
    for kernel in kernels:
        try:
            lowered, launcher = lower_kernel(
                parsed,
                aliases,
                kernel,
                ranks.get(kernel.name, {}),
                given.get(kernel.name, {}),
                constants.get(kernel.name, {}),
                present.get(kernel.name, set()),
                outer_decorators,
            )
        except Exception as error:  # noqa: BLE001 - reported with the others, at the end
            if gather and isinstance(error, UnsupportedOpError):  # and the kernel's other ones

                def lower_again(text: str, name: str = kernel.name) -> None:
                    _transpile(
                        Source.parse(text, filename), example_args, (name,), config,
                        autotune_configs, callables, gather=False,
                        outer_decorators=outer_decorators,
                    )  # fmt: skip

                error = all_unsupported(parsed.text, error, lower_again)
            failed[id(kernel.node)] = _kernel_error(parsed, kernel.name, error)
            continue
        pieces[id(kernel.node)] = (lowered, launcher)
        for item in lowered:
            helpers |= item.helpers
            host_helpers |= item.host_helpers
            functions.update(item.functions)
    body = ModuleText()
    imports: list[tuple[str, int | None]] = []  # the source's opening imports, moved to the top
    split = None  # the body's end of the first kernel and launcher: helpers go after them
    opening = True
    for text in functions.values():  # Triton functions given to hl.triton_kernel as source
        body.blank(2)
        for piece in text.split("\n"):
            body.add(piece, None)
    for statement in parsed.module.body:
        if id(statement) in failed:  # a stub in its place: the module still imports
            body.blank(2)
            for piece in _not_transpiled(statement, failed[id(statement)]):
                body.add(piece, parsed.line_of(statement))
        elif id(statement) in pieces:
            lowered, launcher = pieces[id(statement)]
            for item in lowered:
                body.blank(2)
                body.add_lines(tidy(item.kernel_lines, "kernel"))
            body.blank(2)
            body.add_lines(tidy(launcher, "launcher"))
            split = len(body.lines) if split is None else split
        elif library := imported_library(statement, aliases):  # our symm_mem_sync and kin
            for name, lines in library.items():
                if name not in functions:  # not already written for an hl.triton_kernel call
                    body.blank(2)
                    for piece in lines:
                        body.add(piece, parsed.line_of(statement))
        elif id(statement) not in left_out and (kept := without_helion(statement, aliases)):
            text = parsed.code(statement).strip("\n") if kept is statement else statement_code(kept)
            first = parsed.line_of(statement)
            if opening and is_import(statement):
                imports.append((text, first))
                continue
            body.blank(2 if isinstance(statement, (cst.FunctionDef, cst.ClassDef)) else 1)
            for offset, piece in enumerate(text.split("\n")):
                body.add(piece, first + offset)
        opening = opening and (is_import(statement) or is_docstring(statement))
    helpers = needed_helpers("\n".join(body.lines), helpers, host_helpers)
    body.lines, helpers = apart_from_user(body.lines, helpers)
    imports = read_imports(imports, "\n".join([*body.lines, *helpers]))
    module = assemble(header(filename, imports), body, split or 0, helpers)
    done = [k for k in kernels if id(k.node) in pieces]
    tunables = {
        k.name: tuple(t for item in pieces[id(k.node)][0] for t in item.tunables) for k in done
    }
    phases = {
        k.name: tuple(len(item.tunables) for item in pieces[id(k.node)][0])
        for k in done
        if len(pieces[id(k.node)][0]) > 1
    }
    whole_sizes = {
        k.name: tuple(key for item in pieces[id(k.node)][0] for key in item.whole_sizes)
        for k in done
    }
    block_defaults = {
        k.name: tuple(b for item in pieces[id(k.node)][0] for b in item.block_defaults)
        for k in done
    }
    chunks_k = frozenset(k.name for k in done if any(i.chunks_k for i in pieces[id(k.node)][0]))
    result = Transpiled(
        module.text(),
        tuple(module.line_map),
        tuple(k.name for k in done),
        tunables,
        phases,
        whole_sizes,
        block_defaults,
        chunks_k,
    )
    errors = [failed[id(k.node)] for k in kernels if id(k.node) in failed]
    if len(errors) == 1:  # one kernel's own error, as raised: the module without it beside
        errors[0].partial = result
        raise errors[0]
    if errors:
        raise KernelErrors(errors, len(kernels), result)
    return result


_CHECKED: dict[tuple, tuple[Source, Aliases, tuple[str, ...] | None, list[KernelFunction]]] = {}
CHECKED_KEPT = 16  # sources whose checked kernels are kept (a search transpiles one many times)


def _checked(
    parsed: Source, only: tuple[str, ...] | None, key: tuple | None
) -> tuple[Aliases, tuple[str, ...] | None, list[KernelFunction]]:
    """The module's aliases, the kernels asked for (with those they call) and the kernels,
    each checked against the device rules: none of it depends on the config or the arguments,
    so a search's many transpiles of one source check it once (`key`: (source, filename,
    only), None: not kept). The kernels are copies: lowering sets their settings."""
    if key is None or key not in _CHECKED:
        aliases = collect_aliases(parsed.module)
        if only is not None:
            only = with_called_kernels(parsed.module, aliases, tuple(only))
        kernels = find_kernels(parsed, aliases, only)
        for kernel in kernels:
            check_device_rules(parsed, kernel, aliases)
        if key is None:
            return aliases, only, kernels
        if len(_CHECKED) >= CHECKED_KEPT:
            del _CHECKED[next(iter(_CHECKED))]  # the oldest
        _CHECKED[key] = (parsed, aliases, only, kernels)
    _, aliases, only, kernels = _CHECKED[key]
    return aliases, only, [replace(kernel) for kernel in kernels]


def _parsed(source: str, filename: str) -> Source:
    """`source` parsed: a kept Source of the same text and file (checked for other kernels,
    `only`), else parsed now. A Source is the text's alone (`Source.known`; `current` is
    reset by each transpile): a file of many kernels, each transpiled on its own, is parsed
    once."""
    for (text, name, _), (parsed, *_) in _CHECKED.items():
        if name == filename and text == source:
            return parsed
    return Source.parse(source, filename)


def _kernel_error(parsed: Source, name: str, error: Exception) -> TranspileError:
    """A kernel's failure as a TranspileError (a bug of ours at the statement being lowered),
    labelled with the kernel's name."""
    if not isinstance(error, TranspileError):
        statement = parsed.current or parsed.module
        internal = parsed.error(
            InternalTranspilerError, statement, f"{type(error).__name__}: {error}"
        )
        internal.__cause__ = error
        error = internal
    error.kernel = name
    return error


def _not_transpiled(function: cst.FunctionDef, error: TranspileError) -> list[str]:
    """A stand-in for a kernel that could not be transpiled: calling it raises its error."""
    name = function.name.value
    message = f"{name} was not transpiled: {error}"
    return [
        f"def {name}(*args, **kwargs):",
        f'    """Not transpiled: {type(error).__name__} (see the error below)."""',
        f"    raise NotImplementedError({message!r})",
    ]


def transpile(
    source: str,
    *,
    filename: str = "<string>",
    example_args: dict[str, tuple] | tuple | None = None,
) -> str:
    """Helion-style module source in, standalone Triton module source out."""
    return transpile_module(source, filename=filename, example_args=example_args).code
