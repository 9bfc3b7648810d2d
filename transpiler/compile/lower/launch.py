"""A device loop's launch in the launcher: block sizes, flags, grid and call, from lowering's facts."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from ..emit.codegen import expr, render
from ..emit.lines import Line
from .config_literals import config_value
from .stages import LAUNCHER_WIDTH


@dataclass(frozen=True)
class LaunchFacts:
    """What lowering a loop settled that its launch needs (names are the kernel's)."""

    kernel: str
    line: int  # the loop's source line
    checks: tuple[str, ...]  # argument checks before the launch
    block_checks: tuple[str, ...]  # checks reading the block sizes (scalar_reach.py)
    constexprs: tuple[tuple[str, str], ...]  # BLOCK_N → its launcher expression
    even_flags: tuple[tuple[str, str], ...]  # EVEN_N → the test that every tile along n is whole
    split_flags: tuple[tuple[str, str], ...]  # SPLIT_* / CHUNK_* → when a whole K is chunked
    descriptor_lines: tuple[str, ...]  # `TENSOR_DESCRIPTORS = tma_fits(...)`
    stage_lines: tuple[tuple[int, str], ...]  # the num_stages bound's (indent, line) (stages.py)
    stages: str | None  # ... and the name they bind
    grid: tuple[str, ...]  # programs per grid dimension
    signal_pads: tuple[str, ...]  # world sizes of symm_mem_sync's signal pads
    arguments: tuple[str, ...]  # the kernel's arguments, in parameter order
    flags: tuple[str, ...]  # its constexpr parameters, after the arguments in its signature
    settings: dict[str, object]  # the kernel's decorator settings (config num_warps / stages)


@dataclass(frozen=True)
class FixedBlocks:
    """The default: the launcher sets each block size and EVEN flag, bounds num_stages, and
    passes a config's num_warps / num_stages."""

    names: tuple[str, ...] = ()  # constexprs a config list sets: none
    decorator: str | None = None

    def even_flag(self, name: str, test: str) -> str:
        return f"{name} = {test}  # whole tiles: no masks"

    def split_flag(self, name: str, test: str) -> str:
        return f"{name} = {test}"

    def grid(
        self, grid: str, signal_pads: tuple[str, ...], checks: tuple[str, ...] = ()
    ) -> list[tuple[int, str]]:
        lines = [(0, check) for check in checks]  # after the block sizes: they read them
        lines += [(0, f"grid = ({grid},)")]
        lines += [(0, f"require_signal_pad(grid[0], {size})") for size in signal_pads]
        return lines

    def options(self, settings: dict[str, object]) -> list[str]:
        chosen = {option: config_value(settings, option) for option in ("num_warps", "num_stages")}
        return [f"{option}={value}" for option, value in chosen.items() if isinstance(value, int)]


@dataclass(frozen=True)
class AutotunedBlocks:
    """`export(keep_autotune=True)`: a `@triton.autotune` list sets the block sizes `names`
    (and the configs' warps and stages); the launcher leaves them out."""

    names: tuple[str, ...]
    decorator: str  # `@triton.autotune(configs=[...], key=[...], ...)`, one line (wrapped later)

    def even_flag(self, name: str, test: str) -> str:
        return f"{name} = False  # blocks chosen later: masks stay"

    def split_flag(self, name: str, test: str) -> str:
        return f"{name} = False  # blocks chosen later: K stays whole"

    def grid(
        self, grid: str, signal_pads: tuple[str, ...], checks: tuple[str, ...] = ()
    ) -> list[tuple[int, str]]:
        """`def grid(meta): return (...)`, each tuned block size read from `meta`; `checks`
        reading block sizes run there, once the autotuner has chosen them."""
        tuned = self.names

        class ReadMeta(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.AST:
                if node.id in tuned:
                    return expr("meta[k]", k=ast.Constant(node.id))
                return node

        programs = ReadMeta().visit(expr(f"({grid},)"))
        read = [name for name in tuned if any(_mentions(check, name) for check in checks)]
        return [
            (0, "def grid(meta):  # the autotuner chooses the block sizes"),
            *[(1, f'{name} = meta["{name}"]') for name in read],
            *[(1, check) for check in checks],
            (1, "return " + render(programs)),
        ]

    def options(self, settings: dict[str, object]) -> list[str]:
        return []


Blocks = FixedBlocks | AutotunedBlocks


def launch_lines(facts: LaunchFacts, blocks: Blocks, depth: int) -> list[Line]:
    """The launcher's lines for the loop: checks, block sizes, flags, grid, the call."""
    line = facts.line
    out = [Line(depth, text, line) for text in facts.checks]
    for name, value in facts.constexprs:
        if name not in blocks.names and name != value:  # an hl.constexpr argument is its own
            out.append(Line(depth, f"{name} = {value}", line))
    out += [Line(depth, blocks.even_flag(name, test), line) for name, test in facts.even_flags]
    # products over chunks of a whole K (split_k.py)
    for name, test in facts.split_flags:
        out += [Line(depth, text, line) for text in _broken(blocks.split_flag(name, test))]
    out += [Line(depth, text, line) for text in facts.descriptor_lines]
    out += [Line(depth + extra, text, line) for extra, text in facts.stage_lines]
    grid = " * ".join(facts.grid) if facts.grid else "1"
    grid_lines = blocks.grid(grid, facts.signal_pads, facts.block_checks)
    out += [Line(depth + extra, text, line) for extra, text in grid_lines]
    # the constexprs by position, named as the kernel's parameters, up to the first one a config
    # list sets (left out): those after it by name
    tuned = [index for index, name in enumerate(facts.flags) if name in blocks.names]
    first_tuned = tuned[0] if tuned else len(facts.flags)
    arguments = [*facts.arguments, *facts.flags[:first_tuned]]
    arguments += [f"{c}={c}" for c in facts.flags[first_tuned:] if c not in blocks.names]
    arguments += blocks.options(facts.settings)
    if facts.stages is not None:
        arguments.append(f"num_stages={facts.stages}")
    out.append(Line(depth, f"{facts.kernel}[grid]({', '.join(arguments)})", line))
    return out


def _mentions(code: str, name: str) -> bool:
    return re.search(rf"\b{name}\b", code) is not None


def _broken(flag: str, width: int = LAUNCHER_WIDTH) -> list[str]:
    """A split flag's line, broken before its `* max(` (the operands' element sizes) where it
    is wider than a launcher line: `SPLIT_N = ((BLOCK_M + BLOCK_N) * BLOCK_N` and `* max(...)
    > 131072)` under its first term."""
    name, _, test = flag.partition(" = ")
    if len(flag) <= width or " * max(" not in test:
        return [flag]
    head, tail = test.split(" * max(", 1)
    return [f"{name} = ({head}", " " * (len(name) + 4) + f"* max({tail})"]
