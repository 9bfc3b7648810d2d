"""Pipeline stages of the default config: as many as the loops' loads leave shared memory for."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .config_literals import config_value
from .values import Dims

# Triton buffers each load of a loop that feeds tl.dot once per pipeline stage in shared memory
# (an H100 has 227 KiB a block); the rest of the budget is for the dot's own operand copies.
STAGE_BUDGET_BYTES = 160 * 1024
MOST_STAGES = 3  # Triton's default on NVIDIA GPUs
LAUNCHER_WIDTH = 96  # 100 characters, less a launcher's indent

Load = tuple[str, Dims]  # (tensor, dims) of a load inside a loop
LoopLoad = tuple[str, Dims, int]  # ... and the innermost run-time loop around it (0: none)


@dataclass
class BranchLoads:
    """The loads of a product over a whole K that split_k.py also takes in chunks: the launcher's
    SPLIT flag picks which branch is compiled, so a stage buffers one branch's loads."""

    size: str  # K's size, as the launcher names it
    chunked: list = field(default_factory=list)  # `if SPLIT_K:` (chunks of K): LoopLoads
    whole: list = field(default_factory=list)  # `else:` (the whole K's operands)


def innermost(loads: list[LoopLoad], outer_loops: set[int]) -> list[Load]:
    """The loads a pipeline stage buffers: Triton pipelines a loop with no loop inside, and a
    loop around one holds its loads once (attention's queries), beside the rest of the budget."""
    return [(tensor, dims) for tensor, dims, loop in loads if loop not in outer_loops]


def stage_lines(
    loop_loads: list[Load],
    branches: dict[str, BranchLoads],
    constexprs: Iterable[str],
    settings: dict[str, object],
    fresh: Callable[[str], str],
) -> tuple[list[tuple[int, str]], str | None]:
    """Launcher lines ((indent, text)) that bound `num_stages` for a loop with products whose
    inner loops load `loop_loads`, and, per SPLIT flag, one of its `branches`' loads; and the
    name they bind (None: no bound). `constexprs` are the block sizes the launcher names (a
    chunk's CHUNK_K among them); `fresh` gives a launcher name."""
    if not (loop_loads or branches) or config_value(settings, "num_stages") is not None:
        return [], None
    named = set(constexprs)
    common = _terms(loop_loads, named)
    split = {
        flag: (_terms(b.chunked, named), _terms(b.whole, named)) for flag, b in branches.items()
    }
    if common is None or any(terms is None for pair in split.values() for terms in pair):
        return [], None  # a block the launcher does not name: no estimate
    if not common and not any(chunked or whole for chunked, whole in split.values()):
        return [], None
    loop_bytes = fresh("loop_bytes")
    stages = fresh("num_stages")
    budget = STAGE_BUDGET_BYTES
    kept = f"keep {budget // 1024} KiB"
    lines = [(0, f"# shared memory: a pipeline stage buffers the loop's loads: {kept}")]
    lines += [(0, text) for text in _summed(loop_bytes, common, first=True)] if common else []
    lines += [] if common else [(0, f"{loop_bytes} = 0")]
    for flag, (chunked, whole) in split.items():
        size = branches[flag].size
        chunks = f"{size} in chunks: a stage buffers a chunk's operands"
        held = f"{size} whole: a stage buffers the whole operands"
        if chunked:
            lines.append((0, f"if {flag}:  # {chunks}"))
            lines += [(1, text) for text in _summed(loop_bytes, chunked, first=False)]
        if whole:
            lines.append((0, f"else:  # {held}" if chunked else f"if not {flag}:  # {held}"))
            lines += [(1, text) for text in _summed(loop_bytes, whole, first=False)]
    # (no load in common and a branch without any: none may be counted)
    some = not common and any(not (chunked and whole) for chunked, whole in split.values())
    bytes_ = f"max({loop_bytes}, 1)" if some else loop_bytes
    lines.append((0, f"{stages} = max(1, min({MOST_STAGES}, {budget} // {bytes_}))"))
    return lines, stages


def _terms(loads: list[Load], named: set[str]) -> list[str] | None:
    """Each load's bytes as a launcher expression (a load made twice: twice), or None when a
    block is one the launcher does not name."""
    terms = []
    for tensor, dims in loads:
        factors = []
        for axis in dims:
            if axis is None or axis.squeezed:
                continue
            if axis.block not in named and not axis.block.isdigit():
                return None
            factors.append(axis.block)
        terms.append(" * ".join([*factors, f"{tensor}.element_size()"]))
    counted = {term: terms.count(term) for term in terms}  # a load twice: buffered twice
    return [term if n == 1 else f"{n} * {term}" for term, n in counted.items()]


def _summed(name: str, terms: list[str], first: bool) -> list[str]:
    """`name = a + b` (`+=` unless `first`), a term a line where one line is too wide."""
    op = "=" if first else "+="
    summed = f"{name} {op} {' + '.join(terms)}"
    if len(summed) <= LAUNCHER_WIDTH - (0 if first else 4):
        return [summed]
    return [f"{name} {op if index == 0 else '+='} {term}" for index, term in enumerate(terms)]
