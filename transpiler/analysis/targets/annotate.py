"""What each line costs on a target: PTX / AMDGCN instructions attributed through `.loc`
directives to lines of the generated module, then through its line map to source lines."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .mix import kind_of
from .result import TargetResult

# `.loc FILE LINE COL ...   // name.py:LINE:COL @[ outer.py:LINE:COL ]` (`;` on AMDGCN): the
# comment names the file and, for code inlined from a function, where it was called from.
LOC = re.compile(r"^\s*\.loc\s+\d+\s+(\d+)\s+\d+[^/;]*(?://|;)?(.*)$")
FRAME = re.compile(r"([\w.\-]+\.py):(\d+):\d+")
# An instruction: PTX ends with `;` and starts with an opcode (a predicate may lead); AMDGCN
# opcodes are words with an underscore (v_mov_b32, s_waitcnt, global_load_dword).
INSTRUCTION = {
    "cuda": re.compile(r"^\s*(?:@!?%\w+\s+)?[a-z][\w.:]*\b[^:]*;\s*(?://.*)?$"),
    "hip": re.compile(r"^\s*[a-z][a-z0-9]*_\w*(?:\s|$)"),
}


@dataclass
class LineCost:
    """Instructions (static count) attributed to one line, and how many of each counted kind."""

    instructions: int = 0
    kinds: Counter = field(default_factory=Counter)
    generated_lines: set[int] = field(default_factory=set)  # for a source line: where from

    def add(self, other: LineCost) -> None:
        self.instructions += other.instructions
        self.kinds.update(other.kinds)
        self.generated_lines |= other.generated_lines


def module_lines(comment: str, module: str) -> list[int]:
    """The generated module's lines in a `.loc` comment's frames, innermost first."""
    return [int(line) for name, line in FRAME.findall(comment) if name == module]


def compiled_module_name(text: str, module: str) -> str:
    """The name the asm's frames give the generated module: `module`, unless Triton's cache
    served a compile of the same source from a module file named otherwise (the cache key is
    the source, not its path); then the file most `.loc` comments end their frames in (the
    kernel's own, where every inlined helper was called from)."""
    outermost: Counter = Counter()
    for line in text.splitlines():
        located = LOC.match(line)
        frames = FRAME.findall(located.group(2)) if located else []
        if any(name == module for name, _ in frames):
            return module
        if frames:
            outermost[frames[-1][0]] += 1
    return outermost.most_common(1)[0][0] if outermost else module


def generated_line_costs(
    result: TargetResult, module: str, cites: dict[int, int | None] | None = None
) -> dict[int, LineCost]:
    """Generated line → its cost in `result`'s PTX or AMDGCN. `module` is the generated file's
    name; an instruction inlined from a helper goes to the first frame in the module that
    `cites` a source line (else the innermost one)."""
    backend = result.target.backend
    text = result.asm.get("ptx" if backend == "cuda" else "amdgcn", "")
    module = compiled_module_name(text, Path(module).name)
    costs: dict[int, LineCost] = {}
    current: int | None = None
    instruction = INSTRUCTION[backend]
    for line in text.splitlines():
        located = LOC.match(line)
        if located:
            frames = module_lines(located.group(2), module)
            cited = [f for f in frames if cites is None or cites.get(f) is not None]
            current = (cited or frames or [None])[0]
            continue
        if current is None or not instruction.match(line) or line.lstrip().startswith("."):
            continue
        cost = costs.setdefault(current, LineCost(generated_lines={current}))
        cost.instructions += 1
        kind = kind_of(line, backend)
        if kind:
            cost.kinds[kind] += 1
    return costs


def source_line_costs(
    generated: dict[int, LineCost], line_map: tuple[int | None, ...]
) -> dict[int, LineCost]:
    """Source line → the summed cost of the generated lines citing it."""
    costs: dict[int, LineCost] = {}
    for line, cost in generated.items():
        source = line_map[line - 1] if 0 < line <= len(line_map) else None
        if source is not None:
            costs.setdefault(source, LineCost()).add(cost)
    return costs


def describe(cost: LineCost, target: str) -> str:
    """One line for a tooltip: `sm_90: 37 instructions (2 wgmma, 4 global_loads)`."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in cost.kinds.most_common())
    noun = "instruction" if cost.instructions == 1 else "instructions"
    return f"{target}: {cost.instructions} {noun}" + (f" ({kinds})" if kinds else "")
