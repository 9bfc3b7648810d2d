"""One @kernel function lowered: each device loop a Triton kernel, the function its launcher."""

from __future__ import annotations

import io
import tokenize
from types import MappingProxyType

import libcst as cst
import libcst.matchers as m

from ...distributed.checks import symmetric_memory_checks
from ..emit.codegen import Names
from ..emit.launcher_checks import unpacking_checks, view_checks
from ..emit.lines import Line, LoweredKernel
from ..frontend import callables as inline
from ..frontend.aliases import Aliases
from ..frontend.block_size_calls import check_block_size_calls
from ..frontend.config_check import check_config, check_configs, config_fields
from ..frontend.config_counts import check_config_counts
from ..frontend.device_rules import check_store_races
from ..frontend.errors import UnsupportedConstructError
from ..frontend.host import HostInfo, assigned_names
from ..frontend.host_code import is_kept_annotation, launcher_parameters, rewrite_host_statement
from ..frontend.host_params import analyse_params
from ..frontend.kernels import KernelFunction, device_loop_kind, is_barrier
from ..frontend.lost_results import check_lost_results
from ..frontend.overlapping_reads import check_overlapping_reads
from ..frontend.overwritten_steps import check_overwritten_steps
from ..frontend.source import Source
from .host_tails import find_tail
from .loop import lower_loop
from .plan import LoopPlan


def lower_kernel(
    source: Source,
    aliases: Aliases,
    kernel: KernelFunction,
    ranks: dict[str, int],
    given: dict[str, object] | None = None,
    constants: dict[str, object] | None = None,
    present: set[str] | None = None,
    outer_decorators: bool = True,
) -> tuple[list[LoweredKernel], list[Line]]:
    """Each top-level device loop → a @triton.jit kernel; the function → its launcher.
    `constants` are arguments specialised on (None, strings): device code sees their values;
    `present` the numbers given for parameters that may be None; `outer_decorators`: the
    launcher keeps the decorators above @helion.kernel (a standalone module), or not (the
    runtime's launcher, called by a Kernel those decorators already wrap)."""
    # the values lowering reads (block sizes) checked first; their count once tiles are known
    check_config(source, kernel.node, kernel.settings.get("config"), None)
    check_configs(source, kernel.node, kernel.settings.get("configs"), None)
    tunables = config_fields(kernel.settings.get("config")) or {}  # register_tunable values
    rebound = assigned_names(kernel.node)  # `x = x.view(-1)`: the launched x is another rank
    example_ranks = {name: rank for name, rank in ranks.items() if name not in rebound}
    host = HostInfo(
        aliases, ranks=dict(ranks), given_ranks=frozenset(ranks), example_ranks=example_ranks
    )
    analyse_params(kernel.node, host)
    host.constants.update(constants or {})
    host.present |= present or set()
    specs = inline.callable_specs(source, aliases, kernel, host, given or {})
    host_names = Names(_all_names(kernel.node))
    launcher: list[Line] = []
    node = kernel.node
    header_line = source.line_of(node)
    above = True  # a decorator above @helion.kernel wraps the Kernel object itself
    for decorator in node.decorators:
        if aliases.qualified(
            decorator.decorator.func
            if isinstance(decorator.decorator, cst.Call)
            else decorator.decorator
        ) in ("helion.kernel", "helion.aot_kernel"):
            above = False
        elif outer_decorators or not above:  # the runtime's Kernel is already wrapped by those
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
    needs_check_view = False  # ... or `check_view` (a host view torch may refuse)
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
        check_block_size_calls(statement, source, aliases, host.tensors)
        text = rewrite_host_statement(statement, source, aliases, tunables).strip("\n")
        if tail is not None and statement is tail.statement:
            text = tail.host_return(text)
        first = source.line_of(statement)
        checks = unpacking_checks(statement, set(host.params), first)
        launcher.extend(Line(1, check, first) for check in checks)
        needs_check_tensors |= bool(checks)
        views = view_checks(statement, host.tensors, first)
        launcher.extend(Line(1, check, first) for check in views)
        needs_check_view |= bool(views)
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
    if needs_check_view and lowered:
        lowered[0].host_helpers.add("check_view")
    # Helion numbers hl.register_block_size's block sizes first (lower/block_sizes.py): the
    # first loop's tunables begin with them
    tiles = [name for item in lowered for name, _ in item.tunables]
    check_config(source, kernel.node, kernel.settings.get("config"), tiles)
    check_configs(source, kernel.node, kernel.settings.get("configs"), tiles)
    whole_dims = sum(len(item.whole_sizes) for item in lowered)
    check_config_counts(source, kernel, aliases, host.rank, whole_dims)
    source.once(check_store_races, kernel.node, source, kernel, aliases)
    check_lost_results(source, kernel.node, kernel.loops, host.fresh)
    check_overwritten_steps(source, aliases, kernel.loops)
    source.once(check_overlapping_reads, kernel.node, source, kernel.loops, aliases)
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
