"""Pipeline stages of the default config: as many as the loops' loads leave shared memory for."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .config_literals import config_value
from .values import Dims

# Triton buffers each load of a loop that feeds tl.dot once per pipeline stage in shared memory
# (an H100 has 227 KiB a block); the rest of the budget is for the dot's own operand copies.
STAGE_BUDGET_BYTES = 160 * 1024
MOST_STAGES = 3  # Triton's default on NVIDIA GPUs
LAUNCHER_WIDTH = 96  # 100 characters, less a launcher's indent


def stage_lines(
    loop_loads: list[tuple[str, Dims]],
    constexprs: Iterable[str],
    settings: dict[str, object],
    fresh: Callable[[str], str],
) -> tuple[list[str], str | None]:
    """Launcher lines that bound `num_stages` for a loop with products whose inner loops load
    `loop_loads` ((tensor, dims) per load), and the name they bind (None: no bound).
    `constexprs` are the block sizes the launcher names; `fresh` gives a launcher name."""
    if not loop_loads or config_value(settings, "num_stages") is not None:
        return [], None
    named = set(constexprs)
    terms = []
    for tensor, dims in loop_loads:
        factors = []
        for axis in dims:
            if axis is None or axis.squeezed:
                continue
            if axis.block not in named and not axis.block.isdigit():
                return [], None  # a block the launcher does not name: no estimate
            factors.append(axis.block)
        terms.append(" * ".join([*factors, f"{tensor}.element_size()"]))
    counted = {term: terms.count(term) for term in terms}  # a load twice: buffered twice
    terms = [term if n == 1 else f"{n} * {term}" for term, n in counted.items()]
    loop_bytes = fresh("loop_bytes")
    stages = fresh("num_stages")
    budget = STAGE_BUDGET_BYTES
    lines = [
        f"# shared memory: a pipeline stage buffers the loop's loads: keep {budget // 1024} KiB"
    ]
    summed = f"{loop_bytes} = {' + '.join(terms)}"
    if len(summed) <= LAUNCHER_WIDTH:
        lines.append(summed)
    else:  # a term a line
        lines += [
            f"{loop_bytes} {'+=' if index else '='} {term}" for index, term in enumerate(terms)
        ]
    lines.append(f"{stages} = max(1, min({MOST_STAGES}, {budget} // {loop_bytes}))")
    return lines, stages
