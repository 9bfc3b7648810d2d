"""The pipeline in one place: parse → find kernels → lower each device loop → emit the module."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass, field
from types import MappingProxyType

import libcst as cst
import libcst.matchers as m

from ..distributed.checks import symmetric_memory_checks
from ..distributed.library import imported_library
from .emit.codegen import Names
from .emit.kept_statements import is_docstring, is_import, statement_code, without_helion
from .emit.launcher_checks import unpacking_checks
from .emit.lines import BlockDefault, Line, LoweredKernel
from .emit.module import ModuleText, assemble, header
from .emit.tidy import tidy
from .emit.tidy.helper_names import apart_from_user
from .emit.tidy.helpers import needed_helpers
from .frontend import callables as inline
from .frontend.aliases import Aliases, collect_aliases
from .frontend.config_check import check_config, check_configs
from .frontend.device_rules import check_device_rules, check_store_races
from .frontend.errors import (
    InternalTranspilerError,
    KernelErrors,
    TranspileError,
    UnsupportedConstructError,
    UnsupportedOpError,
)
from .frontend.examples import constants_from_examples, ranks_from_examples
from .frontend.host import HostInfo, assigned_names
from .frontend.host_code import is_kept_annotation, launcher_parameters, rewrite_host_statement
from .frontend.host_params import analyse_params
from .frontend.kernels import (
    KernelFunction,
    device_loop_kind,
    find_kernel_decorator,
    find_kernels,
    is_barrier,
    with_called_kernels,
)
from .frontend.module_statements import statements_left_out
from .frontend.source import Source
from .frontend.unsupported_ops import all_unsupported
from .lower.host_tails import find_tail
from .lower.loop import lower_loop
from .lower.plan import LoopPlan


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
) -> Transpiled:
    """`transpile`, with the line map. `only` names the kernels to keep (the rest are left out);
    `config` (Helion's Config fields: block_sizes, num_warps, num_stages, l2_groupings) replaces
    the decorators' `config=` for every kept kernel; `autotune_configs` (kernel name → configs
    with the same fields) makes a kernel a `@triton.autotune` over them, its launcher leaving
    the block sizes out; `callables` ({kernel: {parameter: fn}}) are callable arguments to
    inline (those among positional `example_args` are found too)."""
    parsed = Source.parse(source, filename)
    try:
        return _transpile(parsed, example_args, only, config, autotune_configs, callables or {})
    except TranspileError:
        raise
    except Exception as error:  # a bug of ours: still the user's line, never a bare traceback
        statement = parsed.current or parsed.module
        raise parsed.error(
            InternalTranspilerError, statement, f"{type(error).__name__}: {error}"
        ) from error


def _transpile(
    parsed: Source, example_args, only, config, autotune_configs, callables, gather: bool = True
) -> Transpiled:
    filename = parsed.filename
    aliases = collect_aliases(parsed.module)
    if only is not None:
        only = with_called_kernels(parsed.module, aliases, tuple(only))
    kernels = find_kernels(parsed, aliases, only)
    for kernel in kernels:
        check_device_rules(parsed, kernel, aliases)
    if config is not None:
        for kernel in kernels:
            kernel.settings = {**kernel.settings, "config": repr(dict(config))}
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
            )
        except Exception as error:  # noqa: BLE001 - reported with the others, at the end
            if gather and isinstance(error, UnsupportedOpError):  # and the kernel's other ones

                def lower_again(text: str, name: str = kernel.name) -> None:
                    _transpile(
                        Source.parse(text, filename), example_args, (name,), config,
                        autotune_configs, callables, gather=False,
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
    result = Transpiled(
        module.text(),
        tuple(module.line_map),
        tuple(k.name for k in done),
        tunables,
        phases,
        whole_sizes,
        block_defaults,
    )
    errors = [failed[id(k.node)] for k in kernels if id(k.node) in failed]
    if len(errors) == 1:  # one kernel's own error, as raised: the module without it beside
        errors[0].partial = result
        raise errors[0]
    if errors:
        raise KernelErrors(errors, len(kernels), result)
    return result


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


def lower_kernel(
    source: Source,
    aliases: Aliases,
    kernel: KernelFunction,
    ranks: dict[str, int],
    given: dict[str, object] | None = None,
    constants: dict[str, object] | None = None,
) -> tuple[list[LoweredKernel], list[Line]]:
    """Each top-level device loop → a @triton.jit kernel; the function → its launcher.
    `constants` are arguments specialised on (None, strings): device code sees their values."""
    rebound = assigned_names(kernel.node)  # `x = x.view(-1)`: the launched x is another rank
    example_ranks = {name: rank for name, rank in ranks.items() if name not in rebound}
    host = HostInfo(aliases, ranks=dict(ranks), example_ranks=example_ranks)
    analyse_params(kernel.node, host)
    host.constants.update(constants or {})
    specs = inline.callable_specs(source, aliases, kernel, host, given or {})
    host_names = Names(_all_names(kernel.node))
    launcher: list[Line] = []
    node = kernel.node
    header_line = source.line_of(node)
    for decorator in node.decorators:
        if aliases.qualified(
            decorator.decorator.func
            if isinstance(decorator.decorator, cst.Call)
            else decorator.decorator
        ) not in ("helion.kernel", "helion.aot_kernel"):
            launcher.append(
                Line(0, "@" + source.code(decorator.decorator), source.line_of(decorator))
            )
    signature = f"def {kernel.name}({launcher_parameters(node.params, aliases)})"
    if node.returns is not None and is_kept_annotation(node.returns.annotation, aliases):
        signature += f" -> {source.code(node.returns.annotation)}"
    launcher.append(Line(0, signature + ":", header_line))
    launcher.extend(inline.launcher_lines(specs, header_line))
    lowered: list[LoweredKernel] = []
    barriers: list[tuple[int, cst.BaseStatement, int]] = []  # (launcher index, node, loops before)
    needs_check_tensors = False  # a launcher check on the arguments uses `check_tensors`
    needs_symmetric = False  # ... or `require_symmetric` (distributed/checks.py)
    tail = None  # a host-side sum / mean of the loop's output, fused (lower/host_tails.py)
    for statement in kernel.body:
        if device_loop_kind(statement, aliases):
            tail = find_tail(aliases, kernel, statement, host)
            suffix = "" if len(kernel.loops) == 1 else f"_{len(lowered) + 1}"
            later = kernel.body[kernel.body.index(statement) + 1 :]
            plan = LoopPlan(
                # config block sizes fill the tiles in loop order, across the kernel's loops
                block_offset=sum(len(done.tunables) for done in lowered),
                # ... and reduction_loops the whole dimensions
                whole_offset=sum(len(done.whole_sizes) for done in lowered),
                later_host_names=frozenset().union(*(_all_names(s) for s in later)),
                callables=MappingProxyType(specs),
                tail=tail,
            )
            item = lower_loop(
                source, aliases, host, f"{kernel.name}_kernel{suffix}", host_names,
                kernel.settings, statement, plan,
            )  # fmt: skip
            if any(spec is not None and spec.argument for spec in specs.values()):
                item.host_helpers |= {"inlined_callable"}
            if any(spec is not None and spec.from_call for spec in specs.values()):
                item.host_helpers |= {"closure_value"}
            lowered.append(item)
            launcher.extend(item.launcher_lines)
            continue
        if is_barrier(statement, aliases):
            barriers.append((len(launcher), statement, len(lowered)))
            continue
        source.current = statement
        text = rewrite_host_statement(statement, source, aliases).strip("\n")
        if tail is not None and statement is tail.statement:
            text = tail.host_return(text)
        first = source.line_of(statement)
        checks = unpacking_checks(statement, set(host.params), first)
        launcher.extend(Line(1, check, first) for check in checks)
        needs_check_tensors |= bool(checks)
        symmetric = symmetric_memory_checks(statement, aliases)
        launcher.extend(Line(1, check, first) for check in symmetric)
        needs_symmetric |= bool(symmetric)
        inside = _lines_inside_strings(text)
        for offset, piece in enumerate(text.split("\n")):
            # a line inside a string spanning lines (a docstring) is the string's own text:
            # indenting it again would change the string
            launcher.append(Line(0 if offset in inside else 1, piece, first + offset))
        host.absorb(statement)
    _check_autotune_lengths(source, kernel, lowered)
    if needs_check_tensors and lowered:
        lowered[0].host_helpers.add("check_tensors")
    if needs_symmetric and lowered:
        lowered[0].host_helpers.add("require_symmetric")
    # Helion numbers hl.register_block_size's block sizes first (lower/block_sizes.py): the
    # first loop's tunables begin with them
    tiles = [name for item in lowered for name, _ in item.tunables]
    check_config(source, kernel.node, kernel.settings.get("config"), tiles)
    check_configs(source, kernel.node, kernel.settings.get("configs"), tiles)
    check_store_races(source, kernel, aliases)
    for index, statement, before in reversed(barriers):
        launcher[index:index] = _barrier_lines(source, statement, lowered, before)
    return lowered, launcher


def _lines_inside_strings(text: str) -> set[int]:
    """Indices of the lines of `text` that begin inside a string literal spanning lines."""
    inside: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0], token.end[0]))  # rows are 1-based
    except (tokenize.TokenError, SyntaxError):
        return set()
    return inside


def _check_autotune_lengths(
    source: Source, kernel: KernelFunction, lowered: list[LoweredKernel]
) -> None:
    """Autotune configs give one block size per tunable tile of the whole kernel, in loop order."""
    tiles = [name for item in lowered for name, _ in item.tunables]
    for config in kernel.settings.get("autotune_configs") or []:
        given = list(config.get("block_sizes") or [])
        if len(given) != len(tiles):
            raise source.error(
                UnsupportedConstructError,
                kernel.node.name,
                f"an autotune config with {len(given)} block sizes for the "
                f"{len(tiles)} tunable tiles ({', '.join(tiles) or 'none'})",
                hint="give one block size per tile without a fixed block_size, in loop order",
            )


def _barrier_lines(
    source: Source, statement: cst.BaseStatement, lowered: list[LoweredKernel], before: int
) -> list[Line]:
    """hl.barrier() needs no code: each device loop is its own launch, and launches on one
    stream run in order. The launcher says so where the barrier stood."""
    lineno = source.line_of(statement)
    lines = [Line(1, f"# line {lineno}: {source.line_text(lineno).strip()}", lineno)]
    if 0 < before < len(lowered):
        first, then = lowered[before - 1].name, lowered[before].name
        lines += [
            Line(1, f"# {then} starts after every program of {first} has ended", lineno),
            Line(1, "# (its stores visible): launches on one stream run in order, so a", lineno),
            Line(1, "# grid-wide barrier needs no code here", lineno),
        ]
    else:
        side = "before" if before == 0 else "after"
        lines.append(Line(1, f"# no device loop {side} it: nothing to wait for", lineno))
    return lines


def _all_names(node: cst.CSTNode) -> set[str]:
    return {name.value for name in m.findall(node, m.Name())}
